//! Northamptonshire's continuum of need as shipped in its profile, checked
//! against the seed (001: §4.1, Appendix 1 L1064-L1188, Appendix 2
//! L1189-L1230), and the Signs of Safety practice model (NSCP §2.3-§2.4).
//! The national, SET, HIPS and Liverpool profiles carry neither.

use together_domain::profile::{Profile, ProfileError};
use together_domain::threshold::{assess, check_decision_level, S47Source, ThresholdModel};

const NATIONAL: &str = include_str!("../../../config/partnerships/national.toml");
const NSCP: &str = include_str!("../../../config/partnerships/northamptonshire.toml");
const NSCP_PATH: &str = "config/partnerships/northamptonshire.toml";
const OTHERS: &[(&str, &str)] = &[
    (
        "config/partnerships/set.toml",
        include_str!("../../../config/partnerships/set.toml"),
    ),
    (
        "config/partnerships/hips.toml",
        include_str!("../../../config/partnerships/hips.toml"),
    ),
    (
        "config/partnerships/liverpool.toml",
        include_str!("../../../config/partnerships/liverpool.toml"),
    ),
];

fn national() -> Profile {
    Profile::national(NATIONAL).expect("national.toml loads")
}

fn nscp() -> Profile {
    Profile::local(NSCP, NSCP_PATH, &national()).unwrap_or_else(|e| panic!("{e}"))
}

fn model() -> ThresholdModel {
    nscp()
        .threshold
        .expect("Northamptonshire ships a threshold model")
}

fn text(m: &ThresholdModel, id: &str) -> String {
    m.indicator(id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
        .text
        .clone()
}

#[test]
fn only_northamptonshire_has_a_threshold_or_practice_model() {
    let nat = national();
    assert!(nat.threshold.is_none());
    assert!(nat.practice_model.is_none());
    for (path, text) in OTHERS {
        let p = Profile::local(text, path, &nat).unwrap_or_else(|e| panic!("{e}"));
        assert!(p.threshold.is_none(), "{path}");
        // SET L2662-L2669 only says a partnership "may" use Signs of Safety.
        assert!(p.practice_model.is_none(), "{path}");
    }
    let p = nscp();
    assert!(p.threshold.is_some());
    assert!(p.practice_model.is_some());
}

#[test]
fn four_levels_and_four_domains() {
    let m = model();
    let levels: Vec<(u8, &str, &str)> = m
        .levels
        .iter()
        .map(|l| (l.number, l.id.as_str(), l.name.as_str()))
        .collect();
    assert_eq!(
        levels,
        [
            (1, "universal", "Universal Support"),
            (2, "early-help", "Early Help"),
            (3, "targeted", "Targeted Support"),
            (
                4,
                "statutory",
                "Statutory Intervention (Immediate safeguarding)"
            ),
        ]
    );
    let domains: Vec<(&str, &str)> = m
        .domains
        .iter()
        .map(|d| (d.id.as_str(), d.name.as_str()))
        .collect();
    assert_eq!(
        domains,
        [
            ("education", "Education and Learning Needs"),
            ("health", "Health Needs"),
            ("emotional", "Emotional Health and Behaviour Needs"),
            ("family", "Family and Parenting Needs"),
        ]
    );
    assert_eq!(m.s47_level, 4);
    assert_eq!(
        m.level(1).unwrap().response,
        "Child, young person or family directed to relevant Universal services for advice/support. No assessment is required."
    );
    assert!(m
        .level(2)
        .unwrap()
        .response
        .ends_with("If a number of issues or needs at Level 2 are identified consider completing an Early Help Assessment (EHA)."));
    assert!(m.level(4).unwrap().response.starts_with(
        "Immediate referral should be made to the Multi Agency Safeguarding Hub (MASH)."
    ));
}

/// Counted in the seed, Appendix 1 (001 L1064-L1188): 199 bullets in all.
#[test]
fn every_appendix_1_indicator_by_domain_and_level() {
    let m = model();
    let expected: &[(&str, [usize; 4])] = &[
        ("education", [5, 9, 8, 1]),
        ("health", [6, 4, 7, 5]),
        ("emotional", [10, 19, 15, 17]),
        ("family", [13, 28, 24, 28]),
    ];
    for (domain, counts) in expected {
        for (i, want) in counts.iter().enumerate() {
            let level = i as u8 + 1;
            let got = m.indicators_in(domain, level).count();
            assert_eq!(got, *want, "{domain} level {level}");
            // Ids are <domain>-<level>-<nn>, numbered 01.. in the seed's order.
            for (k, ind) in m.indicators_in(domain, level).enumerate() {
                assert_eq!(ind.id, format!("{domain}-{level}-{:02}", k + 1));
            }
        }
    }
    assert_eq!(m.indicators.len(), 199);
}

/// The asterisked indicators ("* S47 strategy discussion required", L1116,
/// L1141, L1188): 18, all at Level 4, none in Education.
#[test]
fn the_s47_markers() {
    let m = model();
    let mut s47: Vec<&str> = m
        .indicators
        .iter()
        .filter(|i| i.s47)
        .map(|i| i.id.as_str())
        .collect();
    s47.sort();
    assert_eq!(
        s47,
        [
            "emotional-4-02",
            "emotional-4-03",
            "emotional-4-04",
            "emotional-4-06",
            "emotional-4-10",
            "emotional-4-11",
            "family-4-03",
            "family-4-05",
            "family-4-06",
            "family-4-07",
            "family-4-09",
            "family-4-13",
            "family-4-14",
            "family-4-15",
            "family-4-25",
            "family-4-26",
            "health-4-01",
            "health-4-03",
        ]
    );
    assert!(m.indicators.iter().filter(|i| i.s47).all(|i| i.level == 4));
    assert_eq!(m.s47_marker, "S47 strategy discussion required");
}

#[test]
fn indicator_texts_are_verbatim() {
    let m = model();
    for (id, want) in [
        ("education-1-01", "Enjoys and participates in learning activities"),
        (
            "education-2-02",
            "Support in nursery/school, and the barriers to the child/young person engaging fully in the education setting require a family approach",
        ),
        ("education-3-06", "School attendance below 90%"),
        (
            "education-3-07",
            "3 fixed term exclusions or greater than 15 days excluded in any year",
        ),
        (
            "education-4-01",
            "Persistent school refusal (or excluded from school) if in conjunction with other complex and significant needs",
        ),
        (
            "health-3-01",
            "Health/dental worries not accepted or addressed \u{2013} treatment not being sought/adhered to",
        ),
        ("health-3-07", "Self-harming behaviours"),
        (
            "health-4-01",
            "Severe/chronic health problems, developmental delay or disability where treatment not being sought or adhered to",
        ),
        ("emotional-1-03", "Able to understand others\u{2019} feelings"),
        (
            "emotional-2-17",
            "Moderate post-traumatic stress disorder and/or obsessive compulsive disorder",
        ),
        (
            "emotional-3-14",
            "Child/young person demonstrates thoughts, behaviours, distress and/or impact on functioning that may be consistent with a (working) diagnosis",
        ),
        (
            "emotional-4-15",
            "Acute mental health problems e.g. severe depression; threat of suicide; psychotic episode",
        ),
        (
            "family-1-08",
            "Provides for child\u{2019}s physical needs, e.g. food, drink, appropriate clothing, hygiene, medical and dental care",
        ),
        (
            "family-2-07",
            "Parental stress starting to affect ability to ensure child\u{2019}s safety",
        ),
        (
            "family-3-02",
            "Parental capacity affects ability to nurture (support required because of level and complexity of child disability)",
        ),
        (
            "family-4-01",
            "Parents consistently unable to provide \u{2018}positive enough\u{2019} parenting that is adequate and safe",
        ),
        (
            "family-4-06",
            "Any allegation of abuse or serious neglect or a suspicious injury in a pre or non-mobile child or a child with a disability",
        ),
        (
            "family-4-28",
            "Extreme poverty/debt impacting on ability to care for child/ren",
        ),
    ] {
        assert_eq!(text(&m, id), want, "{id}");
    }
}

/// The placements docs/decisions.md settles (requirements §2.6).
#[test]
fn the_settled_ambiguities() {
    let m = model();
    let at = |id: &str| m.indicator(id).unwrap().level;
    assert_eq!(
        text(&m, "health-3-02"),
        "Multiple health problems/disability"
    );
    assert_eq!(
        text(&m, "health-3-04"),
        "Overweight/underweight where no organic cause"
    );
    assert_eq!(
        text(&m, "family-3-07"),
        "Parent continually struggling to provide care"
    );
    assert_eq!(
        text(&m, "emotional-3-13"),
        "Difficulty in coping with anger/frustration and upset"
    );
    for id in [
        "health-3-02",
        "health-3-04",
        "family-3-07",
        "emotional-3-13",
    ] {
        assert_eq!(at(id), 3, "{id}");
    }
    // "aligned to t a gang" in the seed (L1120-L1121) is an extraction artefact.
    assert_eq!(
        text(&m, "emotional-3-02"),
        "Exhibiting extremist language/behaviour/aligned to a gang"
    );
    // Appendix 2 "Pregnancy of" is a typing error for Appendix 1's "or".
    assert_eq!(
        m.s47_item("appendix2-01").unwrap().text,
        text(&m, "health-4-03")
    );
}

#[test]
fn the_appendix_2_list() {
    let m = model();
    assert_eq!(m.s47_list.len(), 21);
    assert_eq!(
        m.s47_list_title.as_deref(),
        Some("Appendix 2: Section 47 and the duty to investigate")
    );
    for (i, item) in m.s47_list.iter().enumerate() {
        assert_eq!(item.id, format!("appendix2-{:02}", i + 1));
    }
    // 17 repeat an asterisked Appendix 1 indicator, with the same words except
    // "action"/"actions" (appendix2-07); health-4-01 is not in Appendix 2.
    let linked: Vec<(&str, &str)> = m
        .s47_list
        .iter()
        .filter_map(|s| Some((s.id.as_str(), s.indicator.as_deref()?)))
        .collect();
    assert_eq!(linked.len(), 17);
    for (item, ind) in &linked {
        let a2 = &m.s47_item(item).unwrap().text;
        let a1 = text(&m, ind);
        if *item == "appendix2-07" {
            assert_eq!(
                a2,
                "Participates in extremist action in language and behaviour"
            );
            assert_eq!(
                a1,
                "Participates in extremist actions in language and behaviour"
            );
        } else {
            assert_eq!(*a2, a1, "{item} vs {ind}");
        }
    }
    assert!(!linked.iter().any(|(_, i)| *i == "health-4-01"));
    for (id, want) in [
        (
            "appendix2-18",
            "Inconsistent explanations or an admissions about a clear non-accidental injury",
        ),
        (
            "appendix2-19",
            "Medical referral of non-organic failure to thrive in under fives",
        ),
        (
            "appendix2-20",
            "Any allegation suggesting connections between sexually abused children in different families or more than one abuser",
        ),
        (
            "appendix2-21",
            "Any suspicious injury or allegation involving a child subject of a current Child Protection (CP) plan or looked after by a local authority",
        ),
    ] {
        let item = m.s47_item(id).unwrap();
        assert_eq!(item.text, want);
        assert_eq!(item.indicator, None);
    }
}

#[test]
fn assessing_with_the_northamptonshire_model() {
    let m = model();
    // Level 2 needs in two domains, and a Level 1 strength: Early Help.
    let s = assess(&m, &["education-2-04", "family-2-22", "health-1-01"]).unwrap();
    assert_eq!(s.suggested_level(), Some(2));
    assert!(!s.strategy_discussion_required);
    assert!(s.message.contains(
        "Suggested level: Level 2, Early Help. 2 of the 3 indicators ticked are at this level."
    ));
    assert!(s
        .message
        .contains("consider completing an Early Help Assessment (EHA)"));
    let domains: Vec<&str> = s.by_domain.iter().map(|d| d.domain.as_str()).collect();
    assert_eq!(domains, ["education", "health", "family"]);
    assert!(check_decision_level(&s, 1, None).is_err());
    assert!(check_decision_level(&s, 1, Some("Attendance now above 95%")).is_ok());

    // A Level 4 indicator without the asterisk: Level 4, no strategy discussion.
    let s = assess(&m, &["family-4-17", "family-2-25"]).unwrap();
    assert_eq!(s.suggested_level(), Some(4));
    assert!(!s.strategy_discussion_required);

    // An asterisked indicator: strategy discussion, said plainly.
    let s = assess(&m, &["family-4-03", "emotional-2-13"]).unwrap();
    assert!(s.strategy_discussion_required);
    assert_eq!(s.suggested_level(), Some(4));
    assert!(s.message.starts_with(
        "A strategy discussion is required (section 47, Children Act 1989). You ticked: \u{201c}Domestic abuse in pregnancy\u{201d} (S47 strategy discussion required)."
    ));
    assert!(s.message.contains(
        "Immediate referral should be made to the Multi Agency Safeguarding Hub (MASH)."
    ));

    // An Appendix 2 circumstance with no Appendix 1 counterpart.
    let s = assess(&m, &["health-2-02", "appendix2-19"]).unwrap();
    assert!(s.strategy_discussion_required);
    assert_eq!(s.suggested_level(), Some(4));
    assert_eq!(s.s47_triggers.len(), 1);
    assert_eq!(s.s47_triggers[0].source, S47Source::ListItem);
    assert!(s
        .message
        .contains("(Appendix 2: Section 47 and the duty to investigate)"));
    let e = check_decision_level(&s, 3, None).unwrap_err();
    assert!(e.contains("A strategy discussion is still required"), "{e}");

    // Unknown ids are refused.
    assert!(assess(&m, &["health-5-01"]).is_err());
}

#[test]
fn signs_of_safety() {
    let pm = nscp().practice_model.unwrap();
    assert_eq!(pm.name, "Signs of Safety");
    let qs: Vec<(&str, &str)> = pm
        .questions
        .iter()
        .map(|q| (q.id.as_str(), q.text.as_str()))
        .collect();
    assert_eq!(
        qs,
        [
            ("worried", "What are we worried about?"),
            ("working-well", "What\u{2019}s working well?"),
            ("needs-to-happen", "What needs to happen?"),
        ]
    );
    // "we always start with our 'what's working well' questions" (L294-L295).
    assert_eq!(pm.questions_in_asking_order()[0].id, "working-well");
    let prompts: Vec<usize> = pm.questions.iter().map(|q| q.prompts.len()).collect();
    assert_eq!(prompts, [6, 8, 4]);
    assert_eq!(
        pm.question("worried").unwrap().prompts[0],
        "What have you seen or heard that worries you? Who saw this and what did they see?"
    );
    assert_eq!(
        pm.question("working-well").unwrap().focus.as_deref(),
        Some("We think about strengths, safety and when things work")
    );
    assert_eq!((pm.scale.min, pm.scale.max), (0, 10));
    assert_eq!(pm.scale.question, "How worried are we on a scale of 0-10?");
    assert_eq!(
        pm.scale.anchors(),
        "0 = very worried, 10 = not worried at all"
    );
    assert!(pm.scale.check(7).is_ok());
    assert!(pm.scale.check(11).is_err());
}

#[test]
fn a_bad_threshold_or_practice_model_rejects_the_profile() {
    let bad = NSCP.replacen(
        "level = 3\ntext = \"Neglect identified\"",
        "level = 5\ntext = \"Neglect identified\"",
        1,
    );
    assert_ne!(bad, NSCP);
    match Profile::local(&bad, NSCP_PATH, &national()) {
        Err(ProfileError::Invalid {
            source_name,
            message,
        }) => {
            assert_eq!(source_name, NSCP_PATH);
            assert!(message.contains("family-3-11"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let bad = NSCP.replacen("max = 10", "max = 11", 1);
    assert_ne!(bad, NSCP);
    let e = Profile::local(&bad, NSCP_PATH, &national()).unwrap_err();
    assert!(e.to_string().contains("0 to 10"), "{e}");
    let bad = NSCP.replacen("s47_level = 4", "s47_level = 4\nsurplus = 1", 1);
    let e = Profile::local(&bad, NSCP_PATH, &national()).unwrap_err();
    assert!(matches!(e, ProfileError::Parse { .. }), "{e}");
}
