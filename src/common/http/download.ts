import type { FastifyReply } from 'fastify';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Sets the headers of a file download. The name may hold Chinese text: it goes in
 * `filename*` (RFC 8187), where encodeURIComponent's leftovers ' ( ) * must be escaped too.
 */
export function sendAsFile(reply: FastifyReply, filename: string, contentType: string): void {
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  void reply.header('content-disposition', `attachment; filename*=UTF-8''${encoded}`);
  void reply.header('content-type', contentType);
}
