// Budget checks register themselves here (see ops/all.ts).
