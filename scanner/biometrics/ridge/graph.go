package ridge

import (
	"math"
	"slices"
)

// A skeleton read as a graph: its nodes are the line ends (one pixel each) and the
// junctions (a cluster of touching pixels where three or more lines meet), its edges the
// lines between them. Thinning a real print leaves spurs, short islands, small loops
// (lakes, pores) and rungs between neighbouring ridges (bridges); on the graph each is an
// edge of a kind and a length, and cleaning them is cutting edges.

// ring8 are the eight neighbours, counter-clockwise on screen from east (dx, dy).
func ring8() [8][2]int {
	return [8][2]int{{1, 0}, {1, -1}, {0, -1}, {-1, -1}, {-1, 0}, {-1, 1}, {0, 1}, {1, 1}}
}

// crossing is the crossing number of the skeleton at (x, y): half the count of on/off
// changes round its eight neighbours; 1 at a line's end, 2 along it, 3 or more where lines
// meet.
func (s *Skeleton) crossing(x, y int) int {
	ring8 := ring8()
	c := 0
	for k := range 8 {
		a := s.at(x+ring8[k][0], y+ring8[k][1])
		b := s.at(x+ring8[(k+1)%8][0], y+ring8[(k+1)%8][1])
		if a != b {
			c++
		}
	}
	return c / 2
}

// Slim removes the pixels a thinned line can do without: the inner corner of each step
// of a staircase, whose two neighbours on the line touch diagonally anyway. Zhang and
// Suen's thinning leaves them, and they read as junctions to the crossing number.
func (s *Skeleton) Slim() {
	w := s.W
	for changed := true; changed; {
		changed = false
		for y := range s.H {
			for x := range w {
				if !s.On[y*w+x] {
					continue
				}
				n, e, so, we := s.at(x, y-1), s.at(x+1, y), s.at(x, y+1), s.at(x-1, y)
				corner := n && e && !s.at(x+1, y-1) || e && so && !s.at(x+1, y+1) ||
					so && we && !s.at(x-1, y+1) || we && n && !s.at(x-1, y-1)
				if corner && s.simple(x, y) {
					s.On[y*w+x] = false
					changed = true
				}
			}
		}
	}
}

// simple says whether removing pixel (x, y) leaves its neighbours as connected
// (8-connected) as they were: Yokoi's connectivity number is 1.
func (s *Skeleton) simple(x, y int) bool {
	ring8 := ring8()
	var p [8]bool // counter-clockwise from east
	for k := range 8 {
		p[k] = s.at(x+ring8[k][0], y+ring8[k][1])
	}
	// Yokoi's number for 8-connectivity sums, over the 4-neighbours k, x̄k − x̄k·x̄k+1·x̄k+2
	// (x̄ for off): a 4-neighbour off with either of the next two on.
	n := 0
	for k := 0; k < 8; k += 2 {
		if !p[k] && (p[k+1] || p[(k+2)%8]) {
			n++
		}
	}
	return n == 1
}

// node is an end or a junction of the skeleton graph.
type node struct {
	px    []int // its pixels (one for an end)
	x, y  float64
	end   bool
	edges []int
}

// edge is a line of the skeleton between two nodes (the same one for a loop).
type edge struct {
	a, b int   // nodes
	px   []int // the line's pixels, from a to b, the nodes' own excluded
}

type graph struct {
	nodes []node
	edges []edge
	id    []int32 // node of each pixel, -1 for none
}

// scratch holds graph's per-pixel buffers, reused from one reading to the next.
type scratch struct {
	id   []int32
	cn   []int8
	used []bool
}

// graph reads the skeleton's nodes and edges, into buf's buffers (nil for new ones).
func (s *Skeleton) graph(buf *scratch) *graph {
	w, h := s.W, s.H
	ring8 := ring8()
	if buf == nil {
		buf = &scratch{}
	}
	if len(buf.id) != w*h {
		buf.id, buf.cn, buf.used = make([]int32, w*h), make([]int8, w*h), make([]bool, w*h)
	} else {
		clear(buf.cn)
		clear(buf.used)
	}
	g := &graph{id: buf.id}
	for i := range g.id {
		g.id[i] = -1
	}
	// Crossing numbers by neighbourhood code, bit k for ring8[k].
	var table [256]int8
	for code := range 256 {
		for k := range 8 {
			if code>>k&1 != code>>((k+1)%8)&1 {
				table[code]++
			}
		}
		table[code] /= 2
	}
	offs := [8]int{1, 1 - w, -w, -1 - w, -1, w - 1, w, w + 1}
	cn := buf.cn
	for y := range h {
		for x := range w {
			i := y*w + x
			if !s.On[i] {
				continue
			}
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				cn[i] = int8(s.crossing(x, y))
				continue
			}
			code := 0
			for k, o := range offs {
				if s.On[i+o] {
					code |= 1 << k
				}
			}
			cn[i] = table[code]
		}
	}
	for y := range h {
		for x := range w {
			i := y*w + x
			if !s.On[i] || g.id[i] >= 0 || cn[i] == 2 || cn[i] == 0 {
				continue
			}
			n := node{end: cn[i] == 1}
			g.id[i] = int32(len(g.nodes))
			n.px = append(n.px, i)
			if !n.end {
				// The junction's cluster: the touching pixels that are junctions too.
				for k := 0; k < len(n.px); k++ {
					px, py := n.px[k]%w, n.px[k]/w
					for _, d := range ring8 {
						qx, qy := px+d[0], py+d[1]
						if qx < 0 || qy < 0 || qx >= w || qy >= h {
							continue
						}
						q := qy*w + qx
						if s.On[q] && g.id[q] < 0 && cn[q] >= 3 {
							g.id[q] = int32(len(g.nodes))
							n.px = append(n.px, q)
						}
					}
				}
			}
			for _, p := range n.px {
				n.x += float64(p % w)
				n.y += float64(p / w)
			}
			n.x /= float64(len(n.px))
			n.y /= float64(len(n.px))
			g.nodes = append(g.nodes, n)
		}
	}
	used := buf.used // line pixels already in an edge
	for a := range g.nodes {
		for _, p := range g.nodes[a].px {
			px, py := p%w, p/w
			for _, d := range ring8 {
				qx, qy := px+d[0], py+d[1]
				if qx < 0 || qy < 0 || qx >= w || qy >= h {
					continue
				}
				q := qy*w + qx
				if !s.On[q] || used[q] || int(g.id[q]) == a {
					continue
				}
				if b := int(g.id[q]); b >= 0 {
					// Two nodes touching: an edge without line pixels, taken once.
					if a < b && !slices.ContainsFunc(g.nodes[a].edges, func(e int) bool { return g.edges[e].b == b && len(g.edges[e].px) == 0 }) {
						g.addEdge(edge{a: a, b: b})
					}
					continue
				}
				px := s.walk(g, a, q, used)
				last := px[len(px)-1]
				b := -1
				if int(g.id[last]) >= 0 {
					b, px = int(g.id[last]), px[:len(px)-1]
				}
				if b < 0 {
					continue // a line that ran into itself: no node to reach
				}
				g.addEdge(edge{a: a, b: b, px: px})
			}
		}
	}
	return g
}

func (g *graph) addEdge(e edge) {
	g.edges = append(g.edges, e)
	g.nodes[e.a].edges = append(g.nodes[e.a].edges, len(g.edges)-1)
	if e.b != e.a {
		g.nodes[e.b].edges = append(g.nodes[e.b].edges, len(g.edges)-1)
	} else {
		g.nodes[e.a].edges = append(g.nodes[e.a].edges, len(g.edges)-1)
	}
}

// walk follows a line from its first pixel q (next to node a) until it reaches a node
// pixel, which ends the returned path, or runs out.
func (s *Skeleton) walk(g *graph, a, q int, used []bool) []int {
	w, h := s.W, s.H
	ring8 := ring8()
	path := []int{q}
	used[q] = true
	prev := -1
	for cur := q; ; {
		next := -1
		cx, cy := cur%w, cur/w
		for _, d := range ring8 {
			nx, ny := cx+d[0], cy+d[1]
			if nx < 0 || ny < 0 || nx >= w || ny >= h {
				continue
			}
			n := ny*w + nx
			if !s.On[n] || n == prev {
				continue
			}
			if id := int(g.id[n]); id >= 0 {
				// A node: the end, unless it is the start seen again from the first
				// pixel or two.
				if id == a && len(path) < 3 {
					continue
				}
				next = n
				break
			}
			if !used[n] && next < 0 {
				next = n
			}
		}
		if next < 0 {
			return path
		}
		path = append(path, next)
		if g.id[next] >= 0 {
			return path
		}
		used[next] = true
		prev, cur = cur, next
	}
}

// PruneParams are the lengths, in ridge periods, under which a structure is taken for
// an artefact of thinning rather than a feature of the skin.
type PruneParams struct {
	Spur   float64 // a line from a junction to an end
	Island float64 // a line with two ends
	Lake   float64 // a loop, all round
	Bridge float64 // a line between two junctions, across the ridges
}

// Prune cuts the skeleton's spurs, short islands, small loops and bridges, repeatedly,
// since cutting one can leave another. period and orient give the local ridge period
// (pixels) and orientation (radians, [0, π), image coordinates).
func (s *Skeleton) Prune(period, orient func(x, y int) float64, p PruneParams) {
	w := s.W
	var buf scratch
	for range 3 {
		g := s.graph(&buf)
		cut := false
		erase := func(px []int) {
			for _, i := range px {
				s.On[i] = false
			}
			cut = true
		}
		// Each edge is cut at most once a round; loops first, so that a spur into a lake
		// is judged on the lake's opened line next round.
		done := make([]bool, len(g.edges))
		for ei, e := range g.edges {
			na, nb := &g.nodes[e.a], &g.nodes[e.b]
			T := period(int(na.x), int(na.y))
			length := float64(len(e.px) + 1)
			switch {
			case e.a == e.b && !na.end && length < p.Lake*T:
				erase(e.px)
				done[ei] = true
			case e.a != e.b && !na.end && !nb.end:
				// Two junctions joined twice, closely: a lake; open it by its shorter side.
				for _, fi := range na.edges {
					f := g.edges[fi]
					if fi <= ei || done[fi] || done[ei] || !(f.a == e.b || f.b == e.b) || f.a == f.b {
						continue
					}
					if l2 := float64(len(f.px) + 1); length+l2 < p.Lake*T {
						if l2 < length {
							erase(f.px)
							done[fi] = true
						} else {
							erase(e.px)
							done[ei] = true
						}
					}
				}
			}
		}
		for ei, e := range g.edges {
			if done[ei] {
				continue
			}
			na, nb := &g.nodes[e.a], &g.nodes[e.b]
			T := period(int(na.x), int(na.y))
			length := float64(len(e.px) + 1)
			switch {
			case na.end && nb.end && e.a != e.b:
				if length < p.Island*T {
					erase(e.px)
					erase(na.px)
					erase(nb.px)
				}
			case na.end != nb.end:
				end := na
				if nb.end {
					end = nb
				}
				if length < p.Spur*T {
					erase(e.px)
					erase(end.px)
				}
			case !na.end && !nb.end && e.a != e.b && length < p.Bridge*T:
				// A bridge runs across the ridges, a ridge's own fork along them.
				dx, dy := nb.x-na.x, nb.y-na.y
				d := math.Hypot(dx, dy)
				o := orient(int((na.x+nb.x)/2), int((na.y+nb.y)/2))
				if d > 0 && math.Abs(math.Cos(o)*dx+math.Sin(o)*dy)/d < math.Cos(math.Pi/4) {
					erase(e.px)
					if len(e.px) == 0 {
						// Touching junctions: take the pixel of b nearest a.
						erase(nb.px[:1])
					}
				}
			}
		}
		if !cut {
			break
		}
		// Cutting leaves the junctions' pixels: the corners they make go, and lone
		// pixels; a stub of two or three is a spur for the next round.
		s.Slim()
		for y := range s.H {
			for x := range w {
				if s.On[y*w+x] && !s.hasNeighbour(x, y) {
					s.On[y*w+x] = false
				}
			}
		}
	}
}

func (s *Skeleton) hasNeighbour(x, y int) bool {
	for _, d := range ring8() {
		if s.at(x+d[0], y+d[1]) {
			return true
		}
	}
	return false
}

// Features finds the skeleton's minutiae where inside allows: each line end an ending,
// each junction of exactly three lines a bifurcation (more lines meeting are a tangle,
// not a feature). orient gives the ridge orientation (radians, [0, π), image
// coordinates), which sets a minutia's direction up to its sense; the sense comes from
// the lines, followed reach pixels: an ending points out of its ridge, a bifurcation
// towards its stem, the branch most opposite the other two (as ANSI 378).
func (s *Skeleton) Features(inside func(x, y int) bool, orient func(x, y int) float64, reach int) []Minutia {
	g := s.graph(nil)
	var out []Minutia
	for ni, n := range g.nodes {
		x, y := int(math.Round(n.x)), int(math.Round(n.y))
		if !inside(x, y) {
			continue
		}
		// Each line's direction from the node, to the point reach pixels along it.
		var dirs [][2]float64
		for k, ei := range n.edges {
			e := g.edges[ei]
			px := e.px
			// A loop is listed twice: followed forwards the first time, back the second.
			if e.a != ni || e.a == e.b && slices.Index(n.edges, ei) < k {
				px = slices.Clone(px)
				slices.Reverse(px)
			}
			var tx, ty float64
			if len(px) == 0 {
				other := g.nodes[e.b]
				if e.b == ni {
					other = g.nodes[e.a]
				}
				tx, ty = other.x, other.y
			} else {
				p := px[min(reach, len(px))-1]
				tx, ty = float64(p%s.W), float64(p/s.W)
			}
			dx, dy := tx-n.x, ty-n.y
			if d := math.Hypot(dx, dy); d > 0 {
				dirs = append(dirs, [2]float64{dx / d, dy / d})
			}
		}
		var kind Kind
		var sx, sy float64 // the sense of the minutia's direction, image coordinates
		switch {
		case n.end && len(dirs) == 1:
			kind = Ending
			sx, sy = -dirs[0][0], -dirs[0][1]
		case !n.end && len(n.edges) == 3 && len(dirs) == 3:
			kind = Bifurcation
			stem, least := 0, math.Inf(1)
			for k := range 3 {
				o1, o2 := dirs[(k+1)%3], dirs[(k+2)%3]
				if c := dirs[k][0]*(o1[0]+o2[0]) + dirs[k][1]*(o1[1]+o2[1]); c < least {
					stem, least = k, c
				}
			}
			sx, sy = dirs[stem][0], dirs[stem][1]
		default:
			continue
		}
		o := orient(x, y)
		ux, uy := math.Cos(o), math.Sin(o)
		if ux*sx+uy*sy < 0 {
			ux, uy = -ux, -uy
		}
		// Image y runs down; ANSI 378's angles are counter-clockwise with y up.
		out = append(out, Minutia{X: n.x, Y: n.y, Kind: kind, Angle: Norm(math.Atan2(-uy, ux))})
	}
	return out
}
