/**
 * The sign-in sheet's drawing, run in a PDF worker thread (PdfService): plain data in,
 * nothing from the application imported.
 */
export interface SignInSheetData {
  title: string;
  /** Lines under the title: time, venue, trainer; topic. */
  details: string[];
  footer: string;
  townships: { name: string; trainees: { name: string; phone: string }[] }[];
}

const COLUMNS = [
  { title: '序号', width: 40 },
  { title: '姓名', width: 110 },
  { title: '手机号', width: 100 },
  { title: '签名', width: 160 },
  { title: '备注', width: 105 },
] as const;
const ROW_HEIGHT = 26;
const HEADER_HEIGHT = 22;

export function draw(doc: PDFKit.PDFDocument, data: SignInSheetData): void {
  const left = doc.page.margins.left;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  const row = (cells: string[], height: number, bold = false) => {
    const y = doc.y;
    let x = left;
    doc.fontSize(bold ? 10.5 : 10);
    COLUMNS.forEach((col, i) => {
      doc.rect(x, y, col.width, height);
      // Empty cells draw no text: laying out text is most of a sheet's cost.
      if (cells[i]) {
        doc.text(cells[i], x + 4, y + (height - 12) / 2, {
          width: col.width - 8,
          height,
          ellipsis: true,
          lineBreak: false,
        });
      }
      x += col.width;
    });
    doc.stroke();
    doc.x = left;
    doc.y = y + height;
  };
  const tableHeader = () =>
    row(
      COLUMNS.map((c) => c.title),
      HEADER_HEIGHT,
      true,
    );
  const groupHeading = (text: string) => {
    doc.fontSize(12).text(text, left, doc.y + 6);
    doc.moveDown(0.2);
  };

  doc.fontSize(16).text(data.title, { align: 'center' });
  doc.moveDown(0.3).fontSize(10);
  for (const line of data.details) doc.text(line, { align: 'center' });
  doc.moveDown(0.6);
  if (data.townships.length === 0) doc.fontSize(11).text('本班暂无已确认的学员。', left);

  let n = 0;
  for (const township of data.townships) {
    if (doc.y + 18 + HEADER_HEIGHT + ROW_HEIGHT > bottom()) doc.addPage();
    groupHeading(`${township.name}（${township.trainees.length} 人）`);
    tableHeader();
    for (const t of township.trainees) {
      if (doc.y + ROW_HEIGHT > bottom()) {
        doc.addPage();
        groupHeading(`${township.name}（续）`);
        tableHeader();
      }
      row([String(++n), t.name, t.phone, '', ''], ROW_HEIGHT);
    }
  }

  const pages = doc.bufferedPageRange();
  for (let i = 0; i < pages.count; i++) {
    doc.switchToPage(pages.start + i);
    const footerY = doc.page.height - doc.page.margins.bottom + 12;
    // The footer sits in the bottom margin; with the margin in place, PDFKit would start a new page.
    doc.page.margins.bottom = 0;
    doc.fontSize(8).text(`${data.footer} · 第 ${i + 1} / ${pages.count} 页`, left, footerY, {
      align: 'center',
      width: doc.page.width - left - doc.page.margins.right,
      lineBreak: false,
    });
  }
}
