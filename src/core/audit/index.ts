// Audit tests register themselves here (see ops/all.ts).
