/** An uploaded model's verification, whatever its method, as the Verify panel and `wmlab verify` show it. */
import type { VerifyVerdict } from '../../protocol/verify';
import { getMethod, type UploadVerification } from './registry';

/** The Verify panel's verdict (plain, structured-cloneable data) on a verification of any method. */
export function uploadVerdict(v: UploadVerification): VerifyVerdict {
  return getMethod(v.method).uploadVerdict(v);
}

/** The method's fields of `wmlab verify`'s JSON report on a verification of any method. */
export function verifyReportFields(v: UploadVerification): Record<string, unknown> {
  return getMethod(v.method).verifyReport(v);
}
