import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  loadLocomo,
  normaliseEvidence,
  parseConversation,
  parseSessionDate,
  turnFact,
} from '../../../bench/eval/memory/locomo';
import { scoredQuestion, userIdFor } from '../../../bench/eval/memory/memory-load';

describe('LoCoMo session dates', () => {
  it('reads "h:mm am/pm on D Month, YYYY" as UTC', () => {
    expect(parseSessionDate('1:56 pm on 8 May, 2023').toISOString()).toBe('2023-05-08T13:56:00.000Z');
    expect(parseSessionDate('12:48 am on 1 February, 2023').toISOString()).toBe('2023-02-01T00:48:00.000Z');
    expect(parseSessionDate('12:09 pm on 13 September, 2023').toISOString()).toBe('2023-09-13T12:09:00.000Z');
    expect(parseSessionDate('9:55 AM on 22 Oct 2023').toISOString()).toBe('2023-10-22T09:55:00.000Z');
  });

  it('refuses anything else, naming the text', () => {
    expect(() => parseSessionDate('yesterday')).toThrow(/unreadable session date "yesterday"/);
    expect(() => parseSessionDate('13:10 pm on 8 May, 2023')).toThrow(/unreadable/);
    expect(() => parseSessionDate('1:10 pm on 8 Mayday, 2023')).toThrow(/unreadable/);
  });
});

describe('LoCoMo evidence ids', () => {
  it('normalises the malformed ids of the original', () => {
    expect(normaliseEvidence(['D:11:26'])).toEqual(['D11:26']);
    expect(normaliseEvidence(['D30:05'])).toEqual(['D30:5']);
    expect(normaliseEvidence(['D8:6; D9:17'])).toEqual(['D8:6', 'D9:17']);
  });

  it('keeps well-formed ids, drops repeats and pieces that are no turn id', () => {
    expect(normaliseEvidence(['D1:3', 'D1:3', 'D2:10'])).toEqual(['D1:3', 'D2:10']);
    expect(normaliseEvidence(['', 'session 3', 'D4'])).toEqual([]);
  });

  it("scores a question on its evidence turns' facts, listing ids that match no turn apart", () => {
    const canonical = new Map([
      ['D1:1', 'D1:1'],
      ['D1:4', 'D1:4'],
      ['D2:1', 'D1:4'], // an identical turn: one fact
    ]);
    const question = { id: 'c#0', text: 'q', category: 1, evidence: ['D1:4', 'D2:1', 'D7:7'], rawEvidence: [] };
    expect(scoredQuestion(question, canonical)).toEqual({ question, evidence: ['D1:4'], unmatched: ['D7:7'] });
  });
});

describe('LoCoMo conversations', () => {
  const sample = {
    sample_id: 'conv-x',
    conversation: {
      speaker_a: 'Ann Lee',
      speaker_b: 'Bo',
      session_2_date_time: '7:55 pm on 9 June, 2023',
      session_2: [{ speaker: 'Bo', dia_id: 'D2:1', text: 'Look!', blip_caption: 'a photo of a cake' }],
      session_1_date_time: '1:56 pm on 8 May, 2023',
      session_1: [{ speaker: 'Ann Lee', dia_id: 'D1:1', text: ' Hi Bo. ' }],
      session_1_summary: 'ignored',
    },
    qa: [
      { question: 'What did Bo bake?', category: 4, evidence: ['D2:01'] },
      { question: 'Did Ann fly?', category: 5, evidence: [] },
    ],
  };

  it('turns every turn into "Speaker: text", the image caption appended, sessions in order with their dates', () => {
    const conversation = parseConversation(sample);
    expect(conversation.speakers).toEqual(['Ann Lee', 'Bo']);
    expect(conversation.turns).toEqual([
      {
        diaId: 'D1:1',
        session: 1,
        speaker: 'Ann Lee',
        fact: 'Ann Lee: Hi Bo.',
        date: new Date('2023-05-08T13:56:00Z'),
      },
      {
        diaId: 'D2:1',
        session: 2,
        speaker: 'Bo',
        fact: 'Bo: Look! [image: a photo of a cake]',
        date: new Date('2023-06-09T19:55:00Z'),
      },
    ]);
    expect(turnFact({ speaker: 'Bo', text: 'Hi', blip_caption: '  ' })).toBe('Bo: Hi');
    expect(conversation.questions.map((q) => [q.id, q.category, q.evidence])).toEqual([
      ['conv-x#0', 4, ['D2:1']],
      ['conv-x#1', 5, []],
    ]);
  });

  it('gives each speaker pair a valid user id of its own per run', () => {
    const conversation = parseConversation(sample);
    expect(userIdFor('run1', conversation)).toBe('locomo-run1-conv-x-Ann_Lee-Bo');
    expect(userIdFor('run2', conversation)).not.toBe(userIdFor('run1', conversation));
  });

  it('loads one file, or every .json of a directory, and refuses a conversation given twice', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'locomo-'));
    try {
      writeFileSync(path.join(dir, 'a.json'), JSON.stringify([sample]));
      writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ ...sample, sample_id: 'conv-y' }));
      writeFileSync(path.join(dir, 'notes.txt'), 'not data');
      expect(loadLocomo(path.join(dir, 'a.json')).conversations.map((c) => c.sampleId)).toEqual(['conv-x']);
      const both = loadLocomo(dir);
      expect(both.conversations.map((c) => c.sampleId)).toEqual(['conv-x', 'conv-y']);
      expect(both.files.map((f) => path.basename(f))).toEqual(['a.json', 'b.json']);
      writeFileSync(path.join(dir, 'c.json'), JSON.stringify([sample]));
      expect(() => loadLocomo(dir)).toThrow(/conversation conv-x appears twice/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
