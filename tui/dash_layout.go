package tui

// The dashboard's layouts: the full screen (boxed panes in two columns) and the compact pane
// beside or below the text (sections without boxes).

// layoutFull: progress line, big numbers, then two columns of boxed panes (charts on the left,
// causes and gauges on the right).
func (d *dashboard) layoutFull(w, h int) []string {
	if w < 60 || h < 14 {
		return d.layoutCompact(w, h)
	}
	out := []string{d.progressLine(w)}
	bigH := 5
	switch {
	case h >= 36 && w >= 100:
		bigH = 7 // 5-row digits: a big screen, a projector
	case h < 20:
		bigH = 3
	}
	out = append(out, d.bigRow(w, bigH)...)
	if h >= 30 {
		out = append(out, "")
	}
	rest := h - len(out)
	if rest < 4 {
		return out[:min(len(out), h)]
	}
	lw := w * 3 / 5
	if w < 100 {
		lw = w / 2 // the causes and connections say what they count: they need the width
	}
	rw := w - lw - 1
	return append(out, besides(1, [][]string{d.chartBoxes(lw, rest), d.sideBoxes(rw, rest)}, []int{lw, rw})...)
}

// minStackBox is the fewest rows a boxed chart is drawn in beside others: a legend, a few
// columns and the time axis.
const minStackBox = 6

// chartBoxes are the boxed charts of the full layout in w x h: requests per second over
// latency; a lab's stacks go between them, as many as there are rows for (the latency box
// gives way first, then the stacks from the last).
func (d *dashboard) chartBoxes(w, h int) []string {
	st := d.sty
	var stacks int
	if d.have {
		stacks = len(d.sample.Stacks)
	}
	if stacks == 0 {
		top := h / 2
		return append(st.box("requests per second", d.reqPane(w-2, top-2), w, top),
			st.box("latency per second", d.latPane(w-2, h-top-2), w, h-top)...)
	}
	n := 2 + stacks
	for n > 2 && h/n < minStackBox {
		n--
	}
	lat := n == 2+stacks
	out := st.box("requests per second", d.reqPane(w-2, h/n-2), w, h/n)
	for i := 0; i < n-1; i++ {
		bh := h / n
		if i == n-2 {
			bh = h - len(out)
		}
		if lat && i == n-2 {
			out = append(out, st.box("latency per second", d.latPane(w-2, bh-2), w, bh)...)
			break
		}
		out = append(out, st.box(d.sample.Stacks[i].Title, d.stackPane(i, w-2, bh-2), w, bh)...)
	}
	return out
}

// sideBoxes are the failures by cause over the gauge groups in w x h, half each; many groups
// take rows from the causes (down to a box of two rows) to have one line each.
func (d *dashboard) sideBoxes(w, h int) []string {
	st := d.sty
	bot := h - h/2
	if want := d.groupsWant(w-2, h-6) + 2; want > bot && d.have && len(d.sample.Groups) > fewGroups {
		bot = max(bot, min(h-4, want))
	}
	top := h - bot
	_, causes := d.causesBody(w-2, top-2)
	return append(st.box(d.causesTitle(), causes, w, top),
		st.box(d.groupsTitle(), d.groupsPane(w-2, bot-2, false), w, bot)...)
}

// compactNumbers is the big numbers in one line ("19.9% ok  p99 1.2s  329 req/s").
func (d *dashboard) compactNumbers() string {
	st := d.sty
	numLine := ""
	for i, b := range d.bigNumbers() {
		if i > 0 {
			numLine += st.Label.Render("  ")
		}
		v := b.st.Bold(true).Render(b.num + b.unit)
		switch i {
		case 0:
			numLine += v + st.Label.Render(" ok")
		case 1:
			numLine += st.Label.Render("p99 ") + v
		case 2:
			numLine += b.st.Bold(true).Render(b.num) + st.Label.Render(" req/s")
		}
	}
	return numLine
}

// layoutCompact: the same data without boxes. Wide and short (80x8): two columns; narrow and
// tall (36x18): one column of sections.
func (d *dashboard) layoutCompact(w, h int) []string {
	out := []string{d.progressLine(w), d.compactNumbers()}
	rest := h - len(out)
	if rest <= 0 {
		return out[:h]
	}
	if h < 16 && w >= 60 {
		return append(out, d.compactWide(w, rest)...)
	}
	out = append(out, d.compactColumn(w, rest)...)
	return out[:min(h, len(out))]
}

// secondChart is the chart beside the requests where there is room for only one more: the
// lab's first stack when it has one (which replica served what), else the latency.
func (d *dashboard) secondChart(w, h int) []string {
	if d.have && len(d.sample.Stacks) > 0 {
		return d.stackPane(0, w, h)
	}
	return d.latPane(w, h)
}

// compactWide is the wide and short pane (below the text) in w x h: requests over the second
// chart | causes and gauges; from 120 columns the two charts side by side.
func (d *dashboard) compactWide(w, h int) []string {
	cw := w / 2
	if w >= 120 {
		cw = w / 3
	}
	rw := w - cw - 1
	if w >= 120 {
		rw = w - 2*cw - 2
	}
	// two rows stay for the gauges, or one per group when the lab has many
	gh := 2
	if d.have {
		gh = max(2, min(len(d.sample.Groups), h-2))
	}
	causes := d.causesPane(rw, max(2, h-gh))
	right := append(causes, d.groupsPane(rw, h-len(causes), true)...)
	right = right[:min(len(right), h)]
	if w >= 120 {
		return besides(1, [][]string{d.reqPane(cw, h), d.secondChart(cw, h), right}, []int{cw, cw, rw})
	}
	reqH := (h + 1) / 2
	left := append(d.reqPane(cw, reqH), d.secondChart(cw, h-reqH)...)
	return besides(1, [][]string{left, right}, []int{cw, rw})
}

// compactColumn is the one column beside the text in w x h: titled sections (when tall
// enough); the charts share what causes and gauges leave.
func (d *dashboard) compactColumn(w, rest int) []string {
	title := func(t string) string { return d.sty.Title.Render(t) }
	var stacks []int
	if d.have {
		for i := range d.sample.Stacks {
			stacks = append(stacks, i)
		}
	}
	list, _, _ := d.causes()
	causesH := 1 + max(1, min(len(list), 4))
	if rest >= 30 && len(list) > 0 {
		// a tall column has rows to say what the causes mean (the charts keep most of it)
		causesH += min(6, d.helpRows(list[:min(len(list), 4)], w-2))
	}
	poolH := 5
	if d.have {
		poolH = max(poolH, min(len(d.sample.Groups)+1, rest/3))
	}
	titles := rest >= 24
	chartRows := rest - causesH - poolH
	if titles {
		chartRows -= 4 + len(stacks)
	}
	reqH := max(2, min(12, chartRows*55/100))
	stackH := 0
	if len(stacks) > 0 {
		reqH = max(2, min(12, chartRows*35/100))
		stackH = max(2, min(12, chartRows*35/100/len(stacks)))
	}
	latH := max(0, min(12, chartRows-reqH-stackH*len(stacks)))
	if latH < 4 { // a line chart needs a few rows: the other charts get them instead
		latH = 0
		if len(stacks) == 0 {
			reqH = max(2, min(12, chartRows))
		}
	}
	var out []string
	if titles {
		out = append(out, title("requests per second"))
	}
	out = append(out, d.reqPane(w, reqH)...)
	for _, i := range stacks {
		if titles {
			out = append(out, title(d.sample.Stacks[i].Title))
		}
		out = append(out, d.stackPane(i, w, stackH)...)
	}
	if latH >= 3 {
		if titles {
			out = append(out, title("latency per second"))
		}
		out = append(out, d.latPane(w, latH)...)
	}
	if r := rest - len(out); r >= 2 {
		if titles {
			out = append(out, title("failures by cause"))
			r--
		}
		out = append(out, d.causesPane(w, min(r, causesH))...)
	}
	if r := rest - len(out); r >= 2 {
		if titles {
			out = append(out, title(d.groupsTitle()))
			r--
		}
		out = append(out, d.groupsPane(w, r, !titles)...)
	}
	return out
}
