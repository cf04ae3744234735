export const CLASS_STATUSES = ['draft', 'open', 'running', 'completed', 'cancelled'] as const;
export type ClassStatus = (typeof CLASS_STATUSES)[number];

export const CLASS_ACTIONS = ['open', 'start', 'complete', 'cancel'] as const;
export type ClassAction = (typeof CLASS_ACTIONS)[number];

/** draft > open > running > completed; cancelled from any state but completed. */
export const TRANSITIONS: Record<ClassAction, { from: readonly ClassStatus[]; to: ClassStatus }> = {
  open: { from: ['draft'], to: 'open' },
  start: { from: ['open'], to: 'running' },
  complete: { from: ['running'], to: 'completed' },
  cancel: { from: ['draft', 'open', 'running'], to: 'cancelled' },
};

/** Details can still change while a class is being prepared or run; not once it is over. */
export function isEditable(status: ClassStatus): boolean {
  return status === 'draft' || status === 'open' || status === 'running';
}
