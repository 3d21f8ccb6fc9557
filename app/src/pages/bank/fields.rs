//! The editor's text fields: one row per field, a box per language.

use super::*;

pub(crate) fn set_text(t: &mut LocalizedText, lang: Language, v: String) {
    if v.trim().is_empty() {
        t.0.remove(&lang);
    } else {
        t.0.insert(lang, v);
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Field {
    Stem,
    Option(usize),
    Match(usize),
    Rationale,
}

pub(crate) fn field_text(item: &Item, f: Field) -> Option<&LocalizedText> {
    match f {
        Field::Stem => Some(&item.stem),
        Field::Option(i) => item.options.get(i),
        Field::Match(i) => item.matches.get(i),
        Field::Rationale => Some(&item.rationale),
    }
}

pub(crate) fn field_text_mut(item: &mut Item, f: Field) -> Option<&mut LocalizedText> {
    match f {
        Field::Stem => Some(&mut item.stem),
        Field::Option(i) => item.options.get_mut(i),
        Field::Match(i) => item.matches.get_mut(i),
        Field::Rationale => Some(&mut item.rationale),
    }
}

pub(crate) fn field_id(f: Field) -> String {
    match f {
        Field::Stem => "stem".into(),
        Field::Option(i) => format!("option-{i}"),
        Field::Match(i) => format!("match-{i}"),
        Field::Rationale => "rationale".into(),
    }
}

/// One text in the three languages, side by side.
#[component]
pub(crate) fn TextRow(draft: RwSignal<Item>, field: Field, label: String) -> impl IntoView {
    let rows = if matches!(field, Field::Stem | Field::Rationale) {
        3
    } else {
        1
    };
    view! {
        <div class="text-row">
            <div class="text-label">{label}</div>
            {LANGS.into_iter().map(|lang| {
                let value = move || draft.with(|i| field_text(i, field).and_then(|t| t.0.get(&lang).cloned()).unwrap_or_default());
                let id = format!("text-{}-{}", field_id(field), lang.code());
                view! {
                    <label class="text-cell">
                        <span class="lang-tag">{lang.code()}</span>
                        <textarea id=id rows=rows prop:value=value
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                draft.update(|i| if let Some(t) = field_text_mut(i, field) { set_text(t, lang, v) });
                            }></textarea>
                    </label>
                }
            }).collect_view()}
        </div>
    }
}
