//! Qabilet's domain: what an item is, what a blueprint asks for, how a form is drawn for one
//! candidate and how an attempt is scored. Pure code: no I/O, no async, no database.
//!
//! Every rule lives here once and is tested here without a server.

pub mod blueprint;
pub mod diff;
pub mod form;
pub mod formats;
pub mod iin;
pub mod item;
pub mod language;
pub mod lifecycle;
pub mod markdown;
pub mod psychometrics;
pub mod scoring;
pub mod selection;

pub use blueprint::{
    Accommodation, Blueprint, BlueprintError, Navigation, ResultVisibility, Section,
};
pub use form::{
    Answer, Assembler, AssemblyError, Fairness, Form, FormEntry, PoolItem, Shortage, assemble,
    derive_seed,
};
pub use item::{
    Attachment, Difficulty, Item, ItemError, ItemId, ItemMeta, ItemType, Key, LocalizedText,
    PartialCredit,
};
pub use language::Language;
pub use lifecycle::{ItemStatus, Lifecycle, Step};
pub use scoring::{
    CompetencyScore, Response, ScoreReport, ScoredEntry, credit, score, score_with_pass,
};
