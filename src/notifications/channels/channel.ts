import type { RenderedMessage } from '../message-templates';

/** One message ready to leave: who, where, and its text in their language. */
export interface Outgoing {
  /** The notification's id: sent along so a gateway can drop a repeat (a retry after a crash). */
  id: string;
  to: string;
  message: RenderedMessage;
}

/** A way out (e-mail, SMS). `send` resolves once the far side has accepted the message, and throws otherwise. */
export interface Channel {
  send(outgoing: Outgoing): Promise<void>;
}
