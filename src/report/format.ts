/**
 * Text formatting for the HTML report: escaping and numbers formatted for their magnitude,
 * so a vanishing gradient shows as 3.2e-9 and never as 0.0000.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in HTML element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

/** Below this magnitude (and at or above LARGE_MAGNITUDE) numbers use exponential notation. */
const SMALL_MAGNITUDE = 0.01;
const LARGE_MAGNITUDE = 1e6;
const SIGNIFICANT_DIGITS = 4;

/** Formats a number with four significant digits, in exponential notation when tiny or huge. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) && magnitude < LARGE_MAGNITUDE) return String(value);
  if (magnitude < SMALL_MAGNITUDE || magnitude >= LARGE_MAGNITUDE) {
    return value.toExponential(SIGNIFICANT_DIGITS - 1).replace(/\.?0+e/, 'e');
  }
  return String(Number(value.toPrecision(SIGNIFICANT_DIGITS)));
}

/** Formats a duration in seconds as "42.1 s", "3 min 05 s" or "1 h 02 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  // Rounding to whole seconds first keeps 59.6 s from showing as "60 s".
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
