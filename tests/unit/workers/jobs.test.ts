import { describe, expect, it } from 'vitest';
import { GUARDS, JOB_KINDS, JOB_TABLE, JobBoard, refusal, type GuardedOp, type JobKind } from '../../../src/workers/jobs';

/**
 * Pairs of long jobs that must never run together: both take the one tensor queue for long, and
 * training / compare mode replace the model the analyses read (issue 18: stress checked the
 * analyses, the analyses did not check stress).
 */
const MUST_EXCLUDE: readonly (readonly [JobKind, JobKind])[] = [
  ['training', 'compare-mode'], ['training', 'attack'], ['training', 'landscape'], ['training', 'stress'], ['training', 'comparison'],
  ['compare-mode', 'attack'], ['compare-mode', 'landscape'], ['compare-mode', 'stress'], ['compare-mode', 'comparison'],
  ['attack', 'landscape'], ['attack', 'stress'], ['attack', 'comparison'],
  ['landscape', 'stress'], ['landscape', 'comparison'],
  ['stress', 'comparison'],
];

describe('job table', () => {
  it('lists every kind once, and only known kinds', () => {
    expect(Object.keys(JOB_TABLE).sort()).toEqual([...JOB_KINDS].sort());
    for (const kind of JOB_KINDS) {
      const ex = JOB_TABLE[kind].excludes;
      expect(new Set(ex).size).toBe(ex.length);
      for (const other of ex) expect(JOB_KINDS).toContain(other);
    }
    for (const jobs of Object.values(GUARDS)) for (const j of jobs) expect(JOB_KINDS).toContain(j);
  });

  it('is symmetric: a job that refuses another is refused by it', () => {
    for (const a of JOB_KINDS) {
      for (const b of JOB_TABLE[a].excludes) expect(JOB_TABLE[b].excludes, `${b} must exclude ${a}`).toContain(a);
    }
  });

  it('every long job runs one at a time, and the pairs that must exclude each other do', () => {
    for (const kind of JOB_KINDS) expect(JOB_TABLE[kind].excludes, `${kind} must exclude itself`).toContain(kind);
    for (const [a, b] of MUST_EXCLUDE) {
      expect(JOB_TABLE[a].excludes, `${a} must exclude ${b}`).toContain(b);
      expect(JOB_TABLE[b].excludes, `${b} must exclude ${a}`).toContain(a);
    }
  });

  it('the board refuses by the table, both ways, with the page\'s message, and frees a job once it ends', () => {
    for (const [a, b] of MUST_EXCLUDE) {
      for (const [first, second] of [[a, b], [b, a]] as const) {
        const board = new JobBoard();
        const end = board.begin(first, first);
        expect(() => board.begin(second, 'x')).toThrow(refusal('x', first));
        end();
        end(); // a second call changes nothing
        expect(board.idle).toBe(true);
        board.begin(second, 'x')();
      }
    }
    const board = new JobBoard();
    board.begin('stress', 'stress');
    expect(() => board.check('stress', 'stress')).toThrow('stress: a stress run is already in progress; cancel it or wait until it finishes');
    expect(() => board.check('attack', 'attack')).toThrow('attack: a stress run is in progress; cancel it or wait until it finishes');
    expect(board.isRunning('stress')).toBe(true);
    expect(board.idle).toBe(false);
  });

  it('short operations: refused by the jobs the guard names, not by the others', () => {
    const ops = Object.keys(GUARDS) as GuardedOp[];
    for (const op of ops) {
      for (const kind of JOB_KINDS) {
        const board = new JobBoard();
        board.begin(kind, kind);
        if (GUARDS[op].includes(kind)) expect(() => board.refuse(op), `${op} during ${kind}`).toThrow(refusal(op, kind));
        else expect(() => board.refuse(op), `${op} during ${kind}`).not.toThrow();
      }
    }
    // Training and compare mode write the current model: nothing that reads or replaces it runs meanwhile.
    for (const op of ops) expect(GUARDS[op]).toEqual(expect.arrayContaining(['training', 'compare-mode']));
    expect(GUARDS.selectRun).toEqual(expect.arrayContaining(['attack', 'landscape', 'comparison']));
    const board = new JobBoard();
    board.begin('training', 'train');
    expect(() => board.refuse('evaluate')).toThrow('evaluate: a training run is in progress; cancel it or wait until it finishes');
  });
});
