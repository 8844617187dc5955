// Audit tests register themselves here (see ops/all.ts).
import './duplicates.ts';
import './fuzzy-duplicates.ts';
import './clusters.ts';
import './gaps.ts';
import './benford.ts';
import './sample.ts';
import './thresholds.ts';
import './validate-ids.ts';
import './stratify.ts';
import './outliers.ts';
import './reconcile.ts';
import './aging.ts';
import './compare-releases.ts';
