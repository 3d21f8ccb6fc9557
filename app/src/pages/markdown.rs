//! Renders the safe Markdown subset of item texts element by element: no HTML string is ever
//! inserted, so nothing in a text can become markup.

use leptos::prelude::*;
use question_bank::markdown::{Block, Inline, parse};

/// The item's images: attachment name → content digest.
pub type Images = Vec<(String, String)>;

fn inline(v: Vec<Inline>, images: &Images) -> AnyView {
    v.into_iter()
        .map(|i| match i {
            Inline::Text(t) => t.into_any(),
            Inline::Strong(v) => view! { <strong>{inline(v, images)}</strong> }.into_any(),
            Inline::Emph(v) => view! { <em>{inline(v, images)}</em> }.into_any(),
            Inline::Code(t) => view! { <code>{t}</code> }.into_any(),
            Inline::Image { alt, attachment } => {
                match images.iter().find(|(name, _)| *name == attachment) {
                    Some((_, sha)) => view! {
                        <img class="item-image" src=format!("/api/v1/attachments/{sha}") alt=alt />
                    }
                    .into_any(),
                    None => view! {
                        <span class="image-ref" title=attachment>"[" {alt} "]"</span>
                    }
                    .into_any(),
                }
            }
            Inline::Break => view! { <br /> }.into_any(),
        })
        .collect_view()
        .into_any()
}

/// A text as blocks (paragraphs, lists).
#[component]
pub fn Markdown(#[prop(into)] text: String, #[prop(optional)] images: Images) -> impl IntoView {
    parse(&text)
        .into_iter()
        .map(|b| match b {
            Block::Paragraph(v) => view! { <p>{inline(v, &images)}</p> }.into_any(),
            Block::List { ordered: true, items } => view! {
                <ol>{items.into_iter().map(|i| view! { <li>{inline(i, &images)}</li> }).collect_view()}</ol>
            }
            .into_any(),
            Block::List { ordered: false, items } => view! {
                <ul>{items.into_iter().map(|i| view! { <li>{inline(i, &images)}</li> }).collect_view()}</ul>
            }
            .into_any(),
        })
        .collect_view()
}

/// A short text on one line (options): paragraphs are joined with line breaks.
#[component]
pub fn MarkdownInline(
    #[prop(into)] text: String,
    #[prop(optional)] images: Images,
) -> impl IntoView {
    let mut out: Vec<Inline> = Vec::new();
    for b in parse(&text) {
        if !out.is_empty() {
            out.push(Inline::Break);
        }
        match b {
            Block::Paragraph(v) => out.extend(v),
            Block::List { items, .. } => {
                for (k, i) in items.into_iter().enumerate() {
                    if k > 0 {
                        out.push(Inline::Break);
                    }
                    out.push(Inline::Text("• ".into()));
                    out.extend(i);
                }
            }
        }
    }
    inline(out, &images)
}
