package fingergen

import "math"

// The impression's defects are drawn from smooth random fields. Each is hashed from a seed
// and a lattice point instead of drawn in sequence, so a pixel reads the same value
// whatever order the pixels are visited in.

// hash01 is a number in [0, 1) fixed by the seed and the lattice point (i, j).
func hash01(seed uint64, i, j int64) float64 {
	h := seed ^ uint64(i)*0x9e3779b97f4a7c15 ^ uint64(j)*0xc2b2ae3d27d4eb4f
	// SplitMix64's finaliser: neighbouring lattice points get unrelated numbers.
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return float64(h>>11) / (1 << 53)
}

// noise is value noise in [0, 1): the hashed lattice of the given cell size, blended
// with a smoothstep so that the field has no creases at the cell borders.
func noise(seed uint64, x, y, cell float64) float64 {
	// The lattice is turned off the frame's axes, whose rows and columns would show.
	x, y = (0.8*x-0.6*y)/cell, (0.6*x+0.8*y)/cell
	fx, fy := math.Floor(x), math.Floor(y)
	i, j := int64(fx), int64(fy)
	u, v := smooth(x-fx), smooth(y-fy)
	a, b := hash01(seed, i, j), hash01(seed, i+1, j)
	c, d := hash01(seed, i, j+1), hash01(seed, i+1, j+1)
	top, bottom := a+u*(b-a), c+u*(d-c)
	return top + v*(bottom-top)
}

// patches is noise of two octaves stretched to fill [0, 1]: blotches about cell pixels
// across, with as much area near 0 and 1 as in between.
func patches(seed uint64, x, y, cell float64) float64 {
	n := 0.65*noise(seed, x, y, cell) + 0.35*noise(seed^0x5bd1e995, y, x, cell/2.3) // mirrored: another slant
	return clamp01((n-0.5)*2.8 + 0.5)
}

func smooth(t float64) float64 { return t * t * (3 - 2*t) }

// smoothstep is 0 below a, 1 above b and smooth between.
func smoothstep(a, b, x float64) float64 { return smooth(clamp01((x - a) / (b - a))) }

func clamp01(x float64) float64 {
	if x < 0 {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}

// gridStep is the spacing at which slow fields are evaluated; between the nodes they are
// read back bilinearly. A field that changes over tens of pixels loses nothing, and the
// frame costs a few thousand evaluations instead of one per pixel.
const gridStep = 4

const gridW, gridH = Width/gridStep + 2, Height/gridStep + 2

// grid is a slow field over the frame; the zero grid is 0 everywhere.
type grid struct{ v []float32 }

func newGrid(f func(x, y float64) float64) grid {
	g := grid{make([]float32, gridW*gridH)}
	for j := range gridH {
		for i := range gridW {
			g.v[j*gridW+i] = float32(f(float64(i*gridStep), float64(j*gridStep)))
		}
	}
	return g
}

// newGrids evaluates two fields at once, such as a displacement's components.
func newGrids(f func(x, y float64) (float64, float64)) (grid, grid) {
	a, b := grid{make([]float32, gridW*gridH)}, grid{make([]float32, gridW*gridH)}
	for j := range gridH {
		for i := range gridW {
			u, v := f(float64(i*gridStep), float64(j*gridStep))
			a.v[j*gridW+i], b.v[j*gridW+i] = float32(u), float32(v)
		}
	}
	return a, b
}

// spot is a point's place among the grid's nodes: the top-left node and the weights of
// the next ones. Fields read at one point share it.
type spot struct {
	k      int
	ax, ay float64
}

// locate places (x, y) among the nodes, holding the border beyond the frame.
func locate(x, y float64) spot {
	x, y = x/gridStep, y/gridStep
	if x < 0 {
		x = 0
	} else if x > gridW-1.001 {
		x = gridW - 1.001
	}
	if y < 0 {
		y = 0
	} else if y > gridH-1.001 {
		y = gridH - 1.001
	}
	i, j := int(x), int(y)
	return spot{j*gridW + i, x - float64(i), y - float64(j)}
}

// read is the field at a located point.
func (g grid) read(c spot) float64 {
	if g.v == nil {
		return 0
	}
	a, b, d, e := float64(g.v[c.k]), float64(g.v[c.k+1]), float64(g.v[c.k+gridW]), float64(g.v[c.k+gridW+1])
	top, bottom := a+c.ax*(b-a), d+c.ax*(e-d)
	return top + c.ay*(bottom-top)
}

// at is the field at (x, y).
func (g grid) at(x, y float64) float64 { return g.read(locate(x, y)) }
