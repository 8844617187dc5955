// Printing a report to PDF. The desktop shell will print it with Electron's printToPDF through the
// host: when the host offers `printReportToPdf`, that is used. In a browser, the report is put in an
// iframe sandboxed without scripts (allow-same-origin only so this page can call print() on it,
// allow-modals so the print dialog may open) and the browser's print dialog saves it as PDF.
import type { Host } from '../../host/host.ts';

/** The hook the Electron host implements later: write `html` as a PDF where the user chooses. */
export interface PdfHost {
  printReportToPdf?(html: string, suggestedName: string): Promise<boolean>;
}

export async function printReport(host: Host | null, html: string, suggestedName: string): Promise<void> {
  const pdf = (host as (Host & PdfHost) | null)?.printReportToPdf;
  if (pdf) {
    await pdf.call(host, html, suggestedName);
    return;
  }
  document.querySelector('iframe[data-testid="report-print-frame"]')?.remove();
  const frame = document.createElement('iframe');
  frame.dataset.testid = 'report-print-frame';
  frame.setAttribute('sandbox', 'allow-same-origin allow-modals');
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  frame.style.cssText = 'position:fixed;right:0;bottom:0;width:0;height:0;border:0;';
  await new Promise<void>((resolve) => {
    frame.onload = () => resolve();
    frame.srcdoc = html;
    document.body.append(frame);
  });
  frame.contentWindow?.focus();
  frame.contentWindow?.print();
}
