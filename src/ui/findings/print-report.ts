// Printing a report to PDF. The desktop shell prints it with Electron's printToPDF through the host
// (`Host.printReportToPdf`: save dialog, then a hidden window without scripts or network). In a
// browser, whose host has no such method, the report is put in an iframe sandboxed without scripts
// (allow-same-origin only so this page can call print() on it, allow-modals so the print dialog may
// open) and the browser's print dialog saves it as PDF.
import type { Host } from '../../host/host.ts';

/** true: the PDF was written; false: the user cancelled; null: handed to the browser's print dialog. */
export async function printReport(host: Host | null, html: string, suggestedName: string): Promise<boolean | null> {
  if (host?.printReportToPdf) return host.printReportToPdf(html, suggestedName);
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
  return null;
}
