//! The partnership profiles shipped in `config/partnerships/` (design principle 9),
//! embedded in the binary so a fresh clone runs anywhere; an operator may point
//! `--profiles DIR` at edited copies.

use together_domain::profile::{Profile, ProfileError};

/// (id, file name, text) of every shipped profile, national first.
pub const SHIPPED: &[(&str, &str, &str)] = &[
    (
        "national",
        "config/partnerships/national.toml",
        include_str!("../../../config/partnerships/national.toml"),
    ),
    (
        "set",
        "config/partnerships/set.toml",
        include_str!("../../../config/partnerships/set.toml"),
    ),
    (
        "northamptonshire",
        "config/partnerships/northamptonshire.toml",
        include_str!("../../../config/partnerships/northamptonshire.toml"),
    ),
    (
        "hips",
        "config/partnerships/hips.toml",
        include_str!("../../../config/partnerships/hips.toml"),
    ),
    (
        "liverpool",
        "config/partnerships/liverpool.toml",
        include_str!("../../../config/partnerships/liverpool.toml"),
    ),
];

/// Where profiles come from: the embedded copies, or a directory.
#[derive(Clone, Debug, Default)]
pub struct ProfileSource {
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Profile(#[from] ProfileError),
    #[error("no partnership profile \"{0}\"; known: {1}")]
    Unknown(String, String),
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
}

impl ProfileSource {
    fn text(&self, id: &str) -> Result<(String, String), LoadError> {
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{id}.toml"));
            let name = path.display().to_string();
            return match std::fs::read_to_string(&path) {
                Ok(t) => Ok((name, t)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(LoadError::Unknown(id.into(), self.ids().join(", ")))
                }
                Err(e) => Err(LoadError::Io(name, e)),
            };
        }
        SHIPPED
            .iter()
            .find(|(i, _, _)| *i == id)
            .map(|(_, name, text)| (name.to_string(), text.to_string()))
            .ok_or_else(|| LoadError::Unknown(id.into(), self.ids().join(", ")))
    }

    /// The ids available.
    pub fn ids(&self) -> Vec<String> {
        if let Some(dir) = &self.dir {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .filter_map(|e| {
                            e.file_name()
                                .to_str()
                                .and_then(|n| n.strip_suffix(".toml"))
                                .map(String::from)
                        })
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            return v;
        }
        SHIPPED.iter().map(|(i, _, _)| i.to_string()).collect()
    }

    /// Load a profile by id: the national one, or a local one merged over it. A
    /// local profile that lengthens a statutory rule is refused here.
    pub fn load(&self, id: &str) -> Result<Profile, LoadError> {
        let (nname, ntext) = self.text("national")?;
        let national = Profile::national_named(&ntext, &nname)?;
        if id == "national" {
            return Ok(national);
        }
        let (name, text) = self.text(id)?;
        Ok(Profile::local(&text, &name, &national)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_profile_loads() {
        let src = ProfileSource::default();
        for (id, _, _) in SHIPPED {
            let p = src.load(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(&p.id, id);
            assert!(p.rule("referral-decision").is_some());
        }
    }

    #[test]
    fn an_unknown_profile_is_named() {
        let e = ProfileSource::default()
            .load("atlantis")
            .unwrap_err()
            .to_string();
        assert!(e.contains("atlantis") && e.contains("set"), "{e}");
    }
}
