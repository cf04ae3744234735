import { assignVisits, type VisitCandidate } from './visit-assignment';

const townships = (n: number) => Array.from({ length: n }, (_, i) => `t${i + 1}`);

function loadsAfter(candidates: VisitCandidate[], assigned: { assigneeId: string }[]): Map<string, number> {
  const loads = new Map(candidates.map((c) => [c.id, c.openVisits]));
  for (const a of assigned) loads.set(a.assigneeId, loads.get(a.assigneeId)! + 1);
  return loads;
}

function spread(loads: Iterable<number>): number {
  const all = [...loads];
  return Math.max(...all) - Math.min(...all);
}

describe('assignVisits (the fair spread of follow-up visits)', () => {
  it('gives every township to someone, one each', () => {
    const result = assignVisits(townships(3), [
      { id: 'a', openVisits: 0, isClassTrainer: true },
      { id: 'b', openVisits: 0, isClassTrainer: false },
    ]);
    expect(result.map((r) => r.townshipId)).toEqual(['t1', 't2', 't3']);
  });

  it("prefers the class's trainers among equally loaded people, then the given order", () => {
    const result = assignVisits(townships(4), [
      { id: 'admin', openVisits: 0, isClassTrainer: false },
      { id: 'trainer1', openVisits: 0, isClassTrainer: true },
      { id: 'trainer2', openVisits: 0, isClassTrainer: true },
    ]);
    expect(result.map((r) => r.assigneeId)).toEqual(['trainer1', 'trainer2', 'admin', 'trainer1']);
  });

  it('works with the class trainers alone, round-robin', () => {
    const result = assignVisits(townships(5), [
      { id: 'a', openVisits: 0, isClassTrainer: true },
      { id: 'b', openVisits: 0, isClassTrainer: true },
    ]);
    expect(result.map((r) => r.assigneeId)).toEqual(['a', 'b', 'a', 'b', 'a']);
  });

  it('fills up the least loaded first when starting loads are uneven, trainers or not', () => {
    const candidates = [
      { id: 'trainer', openVisits: 3, isClassTrainer: true },
      { id: 'staff', openVisits: 0, isClassTrainer: false },
    ];
    const result = assignVisits(townships(4), candidates);
    expect(result.map((r) => r.assigneeId)).toEqual(['staff', 'staff', 'staff', 'trainer']);
    expect([...loadsAfter(candidates, result).values()]).toEqual([4, 3]);
  });

  it('spreads more townships than people so loads differ by one at most', () => {
    const candidates = ['a', 'b', 'c'].map((id) => ({ id, openVisits: 0, isClassTrainer: id === 'c' }));
    const result = assignVisits(townships(10), candidates);
    const loads = loadsAfter(candidates, result);
    expect(spread(loads.values())).toBe(1);
    expect(loads.get('c')).toBe(4); // the trainer takes the one left over
  });

  it('answers nothing when nobody can be given a visit, and nothing for no townships', () => {
    expect(assignVisits(townships(2), [])).toEqual([]);
    expect(assignVisits([], [{ id: 'a', openVisits: 0, isClassTrainer: true }])).toEqual([]);
  });

  it('is stable: the same input gives the same answer', () => {
    const candidates = ['x', 'y', 'z'].map((id, i) => ({ id, openVisits: i % 2, isClassTrainer: false }));
    expect(assignVisits(townships(7), candidates)).toEqual(assignVisits(townships(7), candidates));
  });

  it("does not change the caller's candidates", () => {
    const candidates = [{ id: 'a', openVisits: 0, isClassTrainer: true }];
    assignVisits(townships(3), candidates);
    expect(candidates[0].openVisits).toBe(0);
  });

  it('never lets the spread exceed max(1, the spread before), whatever the loads (generated cases)', () => {
    // A small deterministic generator, so a failure is reproducible.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 500; run++) {
      const candidates = Array.from({ length: 1 + rand(6) }, (_, i) => ({
        id: `c${i}`,
        openVisits: rand(8),
        isClassTrainer: rand(2) === 0,
      }));
      const before = spread(candidates.map((c) => c.openVisits));
      const result = assignVisits(townships(rand(20)), candidates);
      const after = spread(loadsAfter(candidates, result).values());
      expect(after).toBeLessThanOrEqual(Math.max(1, before));
      // Each township went to someone who was least loaded at that moment.
      const loads = new Map(candidates.map((c) => [c.id, c.openVisits]));
      for (const r of result) {
        expect(loads.get(r.assigneeId)).toBe(Math.min(...loads.values()));
        loads.set(r.assigneeId, loads.get(r.assigneeId)! + 1);
      }
    }
  });
});
