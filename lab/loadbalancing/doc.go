// Package loadbalancing is Scenario 2's lab, "load-balancing", behind the lab contract: N
// replicas of a small feed API (each its own http.Server on its own loopback port with its own
// pgxpool), a real HAProxy in front of them (lab/haproxy), and the lab's PostgreSQL (lab/pg)
// holding the posts and, with Fix B, the sessions.
//
// A user logs in with POST /login and reads GET /me/feed with the session cookie it got. As
// shipped each replica keeps its sessions in its own memory, so behind round robin most
// requests land on a replica that never saw the login and answer 401. Fix A (task tag
// "sticky") makes HAProxy pin each user to one replica with its own cookie; Fix B ("shared-sessions")
// keeps the sessions in a table every replica reads. kill-replica crashes one replica for real
// (its listener and its connections close at once) and bring-back starts it again on its port.
//
// The load test (LoadTest): every user logs in through the balancer first, then hey's requester
// (lab/load) makes the requests, each carrying the cookies of one of the users; failures are
// counted by cause (logged out, no server, replica crashed, connection errors). The live panes are fed from HAProxy's own
// request log and its stats.
package loadbalancing
