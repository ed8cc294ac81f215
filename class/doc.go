// Package class is the classroom: learners join the workshop over SSH with nothing to install
// (class/server), the instructor watches the room on a board (class/board), and the class's
// state, its load-test queue and its results live in class/room and class/queue.
package class
