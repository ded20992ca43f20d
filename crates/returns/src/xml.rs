//! The census in the DfE's XML layout: `Message` > `Header` (`CollectionDetails`,
//! `Source`) and `Children` > `Child` > `ChildIdentifiers`, `ChildCharacteristics`,
//! `CINdetails` (with `Assessments`, `CINPlanDates`, `Section47`,
//! `ChildProtectionPlans` > `Reviews`). Dates are ISO 8601; flags are 1 or 0.

use crate::census::{CensusChild, Episode, Return};
use chrono::{NaiveDate, NaiveDateTime};
use std::fmt::Write;

/// Who made the return, for the `Source` block.
pub struct Source<'a> {
    /// The local authority's three-digit DfE code.
    pub lea: &'a str,
    pub software: &'a str,
    pub release: &'a str,
    pub serial: u32,
    pub generated_at: NaiveDateTime,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct W {
    out: String,
    depth: usize,
}

impl W {
    fn open(&mut self, tag: &str) {
        let _ = writeln!(self.out, "{:1$}<{tag}>", "", self.depth * 2);
        self.depth += 1;
    }
    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        let _ = writeln!(self.out, "{:1$}</{tag}>", "", self.depth * 2);
    }
    fn el(&mut self, tag: &str, v: &str) {
        let _ = writeln!(
            self.out,
            "{:1$}<{tag}>{v}</{tag}>",
            "",
            self.depth * 2,
            v = esc(v)
        );
    }
    fn opt(&mut self, tag: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.el(tag, v);
        }
    }
    fn date(&mut self, tag: &str, d: Option<NaiveDate>) {
        if let Some(d) = d {
            self.el(tag, &d.to_string());
        }
    }
}

/// The return as XML.
pub fn write(r: &Return, src: &Source) -> String {
    let mut w = W {
        out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"),
        depth: 0,
    };
    w.open("Message");
    w.open("Header");
    w.open("CollectionDetails");
    w.el("Collection", "CIN");
    w.el("Year", &r.year.dfe_year().to_string());
    w.el("ReferenceDate", &r.year.end().to_string());
    w.close("CollectionDetails");
    w.open("Source");
    w.el("SourceLevel", "L");
    w.el("LEA", src.lea);
    w.el("SoftwareCode", src.software);
    w.el("Release", src.release);
    w.el("SerialNo", &src.serial.to_string());
    w.el(
        "DateTime",
        &src.generated_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
    );
    w.close("Source");
    w.close("Header");
    w.open("Children");
    for c in &r.children {
        child(&mut w, c);
    }
    w.close("Children");
    w.close("Message");
    w.out
}

fn child(w: &mut W, c: &CensusChild) {
    w.open("Child");
    w.open("ChildIdentifiers");
    w.el("LAchildID", &c.la_child_id);
    w.opt("UPN", c.upn.as_deref());
    w.opt("UPNunknown", c.upn_unknown);
    w.date("PersonBirthDate", c.birth);
    w.date("ExpectedPersonBirthDate", c.expected_birth);
    w.el("Sex", c.sex);
    w.date("PersonDeathDate", c.death);
    w.close("ChildIdentifiers");
    w.open("ChildCharacteristics");
    w.el("Ethnicity", c.ethnicity);
    if !c.disabilities.is_empty() {
        w.open("Disabilities");
        for d in &c.disabilities {
            w.el("Disability", d);
        }
        w.close("Disabilities");
    }
    w.close("ChildCharacteristics");
    for e in &c.episodes {
        episode(w, e);
    }
    w.close("Child");
}

fn flag(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

fn episode(w: &mut W, e: &Episode) {
    w.open("CINdetails");
    w.date("CINreferralDate", Some(e.referral_date));
    w.el("ReferralSource", e.source);
    w.opt("PrimaryNeedCode", e.primary_need);
    w.date("CINclosureDate", e.closure.map(|c| c.0));
    w.opt("ReasonForClosure", e.closure.map(|c| c.1));
    w.date("DateOfInitialCPC", e.icpc);
    w.el("ReferralNFA", flag(e.nfa));
    for a in &e.assessments {
        w.open("Assessments");
        w.date("AssessmentActualStartDate", Some(a.start));
        w.date("AssessmentInternalReviewDate", a.internal_review);
        w.date("AssessmentAuthorisationDate", a.authorised);
        if !a.factors.is_empty() {
            w.open("FactorsIdentifiedAtAssessment");
            for f in &a.factors {
                w.el("AssessmentFactors", f);
            }
            w.close("FactorsIdentifiedAtAssessment");
        }
        w.close("Assessments");
    }
    for (start, end) in &e.cin_plans {
        w.open("CINPlanDates");
        w.date("CINPlanStartDate", Some(*start));
        w.date("CINPlanEndDate", *end);
        w.close("CINPlanDates");
    }
    for s in &e.section47 {
        w.open("Section47");
        w.date("S47ActualStartDate", Some(s.start));
        w.date("InitialCPCtarget", Some(s.icpc_target));
        w.date("DateOfInitialCPC", s.icpc);
        w.el("ICPCnotRequired", flag(s.icpc_not_required));
        w.close("Section47");
    }
    for p in &e.plans {
        w.open("ChildProtectionPlans");
        w.date("CPPstartDate", Some(p.start));
        w.date("CPPendDate", p.end);
        w.el("InitialCategoryOfAbuse", p.initial_category);
        w.el("LatestCategoryOfAbuse", p.latest_category);
        w.el("NumberOfPreviousCPP", &p.previous_plans.to_string());
        // One `Reviews` block per review date: the DfE validator reads the first
        // `CPPreviewDate` of each block.
        for r in &p.reviews {
            w.open("Reviews");
            w.date("CPPreviewDate", Some(*r));
            w.close("Reviews");
        }
        w.close("ChildProtectionPlans");
    }
    w.close("CINdetails");
}
