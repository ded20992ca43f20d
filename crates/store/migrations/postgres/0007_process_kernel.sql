-- Issue 15, the process kernel: one table of open work for every statutory process,
-- generic tables for processes and their subjects, and the subject of each access
-- decision. A new process (allegations, serious incidents, child deaths ...) adds no
-- table: its projection is a `processes` row, its subjects and its work.

-- Open work, whatever the process: what, for whom ("user:<id>", "queue:<role queue>"
-- or "team:<id>"), due, the rule and its citation, and where it is done. Replaces
-- `work_items` (referrals) and `case_work` (cases). Rewritten with the process's
-- projection after every event.
CREATE TABLE work (
    process_kind TEXT NOT NULL,
    process_id TEXT NOT NULL,
    work_key TEXT NOT NULL,
    owner TEXT NOT NULL,
    -- The child the work is about, if it is about one (the tray shows their name as
    -- the record has it now; the access decision reads a caller's work about a child).
    child_id TEXT,
    title TEXT NOT NULL,
    due TEXT NOT NULL,
    overdue_from TEXT NOT NULL,
    rule_id TEXT,
    citation TEXT NOT NULL,
    link TEXT NOT NULL,
    -- What the tray shows when the work is about no one child (a referral's summary).
    summary TEXT NOT NULL,
    PRIMARY KEY (process_kind, process_id, work_key)
);
-- A tray is one read per owner in (overdue from, id, key) order, a page at a time.
CREATE INDEX work_tray ON work(owner, overdue_from, process_id COLLATE "C", work_key COLLATE "C");
-- The access decision: what a caller owes about one child.
CREATE INDEX work_child ON work(child_id, owner);
-- Figures and exports across every owner.
CREATE INDEX work_overdue ON work(overdue_from, process_id COLLATE "C", work_key COLLATE "C");

INSERT INTO work (process_kind, process_id, work_key, owner, child_id, title, due, overdue_from, rule_id, citation, link, summary)
SELECT 'referral', w.referral_id, w.work_key, 'queue:' || w.queue, NULL, w.title, w.due, w.overdue_from,
       w.rule_id, w.citation, '/referrals/' || w.referral_id, r.summary
FROM work_items w JOIN referrals r ON r.id = w.referral_id;

INSERT INTO work (process_kind, process_id, work_key, owner, child_id, title, due, overdue_from, rule_id, citation, link, summary)
SELECT 'case', w.case_id, w.work_key,
       CASE WHEN w.assignee IS NULL THEN 'queue:supervisor' ELSE 'user:' || w.assignee END,
       w.child_id, w.title, w.due, w.overdue_from, w.rule_id, w.citation,
       CASE
         WHEN w.work_key LIKE 'invite-strategy-%-%' THEN
           '/cases/' || w.case_id || '/record/strategy-' ||
           split_part(substr(w.work_key, 17), '-', 1)
         WHEN w.work_key LIKE 'invite-conference-%-%' THEN
           '/cases/' || w.case_id || '/report-' ||
           split_part(substr(w.work_key, 19), '-', 1)
         ELSE '/cases/' || w.case_id
       END,
       ''
FROM case_work w;

DROP TABLE work_items;
DROP TABLE case_work;

-- A process of any kind that has no table of its own: its projection, rewritten after
-- every event (its log is in `events`, keyed by the process id).
CREATE TABLE processes (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    -- The process's own stage ("open", "notified", "closed" ...).
    stage TEXT NOT NULL,
    -- What lists show of it (no name or date of birth goes in a log line).
    summary TEXT NOT NULL,
    -- The process's state as its module serialises it, for its pages.
    state TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX processes_kind_updated ON processes(kind, updated_at DESC, id);

-- Who or what a process is about: children, adults, agencies, other processes.
CREATE TABLE process_subjects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    PRIMARY KEY (kind, id, subject_kind, subject_id)
);
CREATE INDEX process_subjects_subject ON process_subjects(subject_kind, subject_id, kind);

-- The access log names the subject of each decision by kind and id (a child's
-- record keeps its `child_id` as well, for the data protection officer's search).
ALTER TABLE access_log ADD COLUMN subject_kind TEXT;
ALTER TABLE access_log ADD COLUMN subject_id TEXT;
CREATE INDEX access_log_subject ON access_log(subject_kind, subject_id, at);
