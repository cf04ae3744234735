/** Someone who may be given a visit, with the open (assigned or overdue) visits they hold now. */
export interface VisitCandidate {
  id: string;
  openVisits: number;
  isClassTrainer: boolean;
}

export interface VisitAssignment {
  townshipId: string;
  assigneeId: string;
}

/**
 * The fair spread of a class's follow-up visits: each township in turn goes to a candidate
 * holding the fewest open visits, the class's own trainers first among equals, then the
 * order the candidates were given in (stable, so a re-run gives the same answer). Giving
 * always to a least-loaded person never raises the spread (max − min open visits) above
 * max(1, the spread before). Answers nothing when there is nobody to give visits to.
 */
export function assignVisits(townshipIds: readonly string[], candidates: readonly VisitCandidate[]): VisitAssignment[] {
  if (candidates.length === 0) return [];
  const load = candidates.map((c, order) => ({ ...c, order }));
  const out: VisitAssignment[] = [];
  for (const townshipId of townshipIds) {
    let best = load[0];
    for (const c of load) {
      if (
        c.openVisits < best.openVisits ||
        (c.openVisits === best.openVisits && c.isClassTrainer && !best.isClassTrainer) ||
        (c.openVisits === best.openVisits && c.isClassTrainer === best.isClassTrainer && c.order < best.order)
      ) {
        best = c;
      }
    }
    best.openVisits++;
    out.push({ townshipId, assigneeId: best.id });
  }
  return out;
}
