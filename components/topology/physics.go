package topology

import "math"

// Laws are TopologyViewer's SimpleLaws: the forces between two particles
// and how their velocities are damped. Forces are positive when they
// attract. Build them with SimpleLaws, which scales every default to the
// bond length.
type Laws struct {
	// BondLength is the length a bond settles at.
	BondLength float64
	// MaxRepelRadius is the distance beyond which unbonded particles do
	// not interact (Kamaelia's maxInteractRadius).
	MaxRepelRadius float64
	// RepulsionStrength is the repulsion between unbonded particles at
	// BondLength apart; it falls with the square of the distance.
	RepulsionStrength float64
	// MaxBondForce caps a bond's force, reached at 0 and at twice
	// BondLength; the force is proportional to distance - BondLength.
	MaxBondForce float64
	// Damp multiplies every velocity each step (1 - friction).
	Damp float64
	// DampCutoff: a velocity smaller than this (|vx|+|vy|) becomes zero.
	DampCutoff float64
	// MaxVelocity caps a damped velocity (|vx|+|vy|).
	MaxVelocity float64
}

// SimpleLaws returns Kamaelia's default laws scaled to bondLength (100 is
// TopologyViewer's): repulsion radius 2L, repulsion 3.2·L/100 at L, bond
// force at most 20·L/100, velocity ×0.8 a step, zeroed below 0.4·L/100 and
// capped at 32·L/100.
func SimpleLaws(bondLength float64) Laws {
	s := bondLength / 100
	return Laws{
		BondLength:        bondLength,
		MaxRepelRadius:    200 * s,
		RepulsionStrength: 3.2 * s,
		MaxBondForce:      20 * s,
		Damp:              0.8,
		DampCutoff:        0.4 * s,
		MaxVelocity:       32 * s,
	}
}

// unbonded is the force between unbonded particles distSq apart squared.
func (l *Laws) unbonded(distSq float64) float64 {
	maxF := l.RepulsionStrength * l.BondLength * l.BondLength
	if distSq < 1 {
		return -maxF
	}
	return -maxF / distSq
}

// bonded is the force of a bond stretched to dist.
func (l *Laws) bonded(dist float64) float64 {
	f := l.MaxBondForce / l.BondLength * (dist - l.BondLength)
	return max(-l.MaxBondForce, min(l.MaxBondForce, f))
}

// dampen returns the damped velocity.
func (l *Laws) dampen(vx, vy float64) (float64, float64) {
	mag := math.Abs(vx) + math.Abs(vy)
	if mag < l.DampCutoff {
		return 0, 0
	}
	d := l.Damp
	if d*mag > l.MaxVelocity {
		d = l.MaxVelocity / mag
	}
	return vx * d, vy * d
}

// SetPairLaws makes the laws between particles of types a and b (either
// way round) laws instead of the graph's own, as Kamaelia's MultipleLaws
// does; the laws of a type with itself also damp that type's velocities.
func (g *Graph) SetPairLaws(a, b string, laws Laws) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pairs == nil {
		g.pairs = map[[2]string]*Laws{}
	}
	l := laws
	g.pairs[[2]string{a, b}] = &l
	g.pairs[[2]string{b, a}] = &l
	g.radius = 0
}

// AxonLaws gives g the AxonVisualiser's laws: components keep well apart,
// and a component's inboxes and outboxes stay close around it.
func AxonLaws(g *Graph) {
	comp := SimpleLaws(100)
	comp.RepulsionStrength *= 2
	g.SetPairLaws(TypeComponent, TypeComponent, comp)
	box := SimpleLaws(35)
	for _, t := range []string{TypeInbox, TypeOutbox} {
		g.SetPairLaws(TypeComponent, t, box)
		for _, u := range []string{TypeInbox, TypeOutbox} {
			g.SetPairLaws(t, u, SimpleLaws(25))
		}
	}
}

func (g *Graph) lawsFor(a, b string) *Laws {
	if g.pairs != nil {
		if l, ok := g.pairs[[2]string{a, b}]; ok {
			return l
		}
	}
	return &g.laws
}

// interactRadius is the largest MaxRepelRadius of any laws: the grid's
// cell size.
func (g *Graph) interactRadius() float64 {
	if g.radius == 0 {
		g.radius = g.laws.MaxRepelRadius
		for _, l := range g.pairs {
			g.radius = max(g.radius, l.MaxRepelRadius)
		}
		g.radius = max(g.radius, 1)
	}
	return g.radius
}

// Step advances the physics n steps (nothing while frozen) and reports
// whether anything moved. Each step every pair of unbonded particles
// closer than the repulsion radius repels, every bonded pair pulls towards
// the bond length, then every particle moves by its velocity and the
// velocity is damped. Neighbours are found through a grid of cells the
// size of the repulsion radius, not by trying every pair.
func (g *Graph) Step(n int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	moved := false
	for range n {
		if g.frozen {
			break
		}
		if g.step() {
			moved = true
		}
	}
	if moved {
		g.version++
	}
	return moved
}

func (g *Graph) step() bool {
	r := g.interactRadius()
	clear(g.grid)
	cell := func(x, y float64) [2]int { return [2]int{int(math.Floor(x / r)), int(math.Floor(y / r))} }
	for _, p := range g.order {
		c := cell(p.X, p.Y)
		g.grid[c] = append(g.grid[c], p)
	}
	for i, p := range g.order {
		c := cell(p.X, p.Y)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, q := range g.grid[[2]int{c[0] + dx, c[1] + dy}] {
					if q == p {
						continue
					}
					if _, bonded := p.bonds[q]; bonded {
						continue // bonds are done below, in or out of range
					}
					l := g.lawsFor(p.Type, q.Type)
					ddx, ddy := q.X-p.X, q.Y-p.Y
					d2 := ddx*ddx + ddy*ddy
					if d2 > l.MaxRepelRadius*l.MaxRepelRadius {
						continue
					}
					d := math.Sqrt(d2)
					ux, uy := unit(ddx, ddy, d, i)
					f := l.unbonded(d2)
					p.vx += ux * f
					p.vy += uy * f
				}
			}
		}
		for q := range p.bonds {
			l := g.lawsFor(p.Type, q.Type)
			ddx, ddy := q.X-p.X, q.Y-p.Y
			d := math.Hypot(ddx, ddy)
			ux, uy := unit(ddx, ddy, d, i)
			f := l.bonded(d)
			p.vx += ux * f
			p.vy += uy * f
		}
	}
	moved := false
	for _, p := range g.order {
		if p.held {
			p.vx, p.vy = 0, 0
			continue
		}
		if p.vx != 0 || p.vy != 0 {
			moved = true
		}
		p.X += p.vx
		p.Y += p.vy
		l := g.lawsFor(p.Type, p.Type)
		p.vx, p.vy = l.dampen(p.vx, p.vy)
	}
	return moved
}

// unit is the direction from one particle to another d apart; particles
// on top of each other get a direction of their own (from i) so that they
// can come apart.
func unit(dx, dy, d float64, i int) (float64, float64) {
	if d < 1e-9 {
		a := float64(i) * 2.399963 // the golden angle spreads them
		return -math.Cos(a), -math.Sin(a)
	}
	return dx / d, dy / d
}
