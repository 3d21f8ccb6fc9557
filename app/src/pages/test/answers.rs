//! The answer inputs, one per item type.

use super::*;

/// Reads a number as applicants type it: a comma or a point as the decimal separator, spaces
/// between thousands.
pub fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The input for one item's answer, by its type.
pub(crate) fn answer_input(
    item: ItemView,
    answers: Answers,
    choose: impl Fn(String, Option<Answer>) + Copy + Send + Sync + 'static,
    finishing: RwSignal<bool>,
) -> AnyView {
    let i18n = use_i18n();
    let item_id = StoredValue::new(item.item_id.clone());
    let current = move || answers.with(|m| m.get(&item_id.get_value()).cloned().flatten());
    let images = item.images.clone();
    let letter = |pos: usize| char::from(b'A' + (pos as u8 % 26));
    let text_of = move |text: String| {
        let images = images.clone();
        view! { <crate::pages::markdown::MarkdownInline text images /> }
    };
    match item.kind {
        ItemType::SingleChoice | ItemType::MultipleResponse => {
            let multiple = item.kind == ItemType::MultipleResponse;
            let chosen = move |pos: u32| match current() {
                Some(Answer::Choice(c)) => c == pos,
                Some(Answer::Choices(cs)) => cs.contains(&pos),
                _ => false,
            };
            let options = item
                .options
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let pos = i as u32;
                    let on_change = move |_| {
                        let answer = if multiple {
                            let mut set = match current() {
                                Some(Answer::Choices(cs)) => cs,
                                _ => vec![],
                            };
                            if let Some(at) = set.iter().position(|c| *c == pos) {
                                set.remove(at);
                            } else {
                                set.push(pos);
                                set.sort_unstable();
                            }
                            (!set.is_empty()).then_some(Answer::Choices(set))
                        } else {
                            Some(Answer::Choice(pos))
                        };
                        choose(item_id.get_value(), answer);
                    };
                    view! {
                        <label class="option" class:chosen=move || chosen(pos)>
                            <input
                                type=if multiple { "checkbox" } else { "radio" }
                                name="choice"
                                value=pos
                                prop:checked=move || chosen(pos)
                                disabled=move || finishing.get()
                                on:change=on_change
                            />
                            <span class="option-letter" aria-hidden="true">{letter(i)}</span>
                            <span class="option-text">{text_of(text.clone())}</span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                {multiple.then(|| view! { <p class="hint" id="answer-hint">{t!(i18n, test_multiple_hint)}</p> })}
                <fieldset class="options" aria-labelledby="stem">{options}</fieldset>
            }
            .into_any()
        }
        ItemType::TrueFalse => {
            let is = move |b: bool| current() == Some(Answer::Bool(b));
            let option = move |b: bool| {
                view! {
                    <label class="option" class:chosen=move || is(b)>
                        <input type="radio" name="choice" id=if b { "answer-true" } else { "answer-false" }
                            prop:checked=move || is(b)
                            disabled=move || finishing.get()
                            on:change=move |_| choose(item_id.get_value(), Some(Answer::Bool(b))) />
                        <span class="option-text">
                            {move || if b { t_string!(i18n, test_true).to_string() } else { t_string!(i18n, test_false).to_string() }}
                        </span>
                    </label>
                }
            };
            view! { <fieldset class="options" aria-labelledby="stem">{option(true)}{option(false)}</fieldset> }
                .into_any()
        }
        ItemType::Matching => {
            let premises = item.options.len();
            let pairs = move || match current() {
                Some(Answer::Pairs(p)) if p.len() == premises => p,
                _ => vec![None; premises],
            };
            let matches = StoredValue::new(item.matches.clone());
            let rows = item
                .options
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let select_id = format!("match-{i}");
                    let selected = move || pairs().get(i).copied().flatten();
                    let on_change = move |ev: leptos::ev::Event| {
                        let value = event_target_value(&ev);
                        let mut p = pairs();
                        p[i] = value.parse::<u32>().ok();
                        let answer = p.iter().any(Option::is_some).then_some(Answer::Pairs(p));
                        choose(item_id.get_value(), answer);
                    };
                    let options = matches.with_value(|ms| {
                        ms.iter()
                            .enumerate()
                            .map(|(m, text)| {
                                let m = m as u32;
                                view! {
                                    <option value=m.to_string() selected=move || selected() == Some(m)>
                                        {format!("{}. {}", m + 1, text)}
                                    </option>
                                }
                            })
                            .collect_view()
                    });
                    view! {
                        <div class="match-row">
                            <label for=select_id.clone() class="option-text">
                                <span class="option-letter" aria-hidden="true">{letter(i)}</span>
                                {text_of(text.clone())}
                            </label>
                            <select id=select_id prop:value=move || selected().map(|m| m.to_string()).unwrap_or_default()
                                disabled=move || finishing.get() on:change=on_change>
                                <option value="" selected=move || selected().is_none()>
                                    {move || t_string!(i18n, test_choose_match).to_string()}
                                </option>
                                {options}
                            </select>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <p class="hint" id="answer-hint">{t!(i18n, test_match_hint)}</p>
                <div class="matching" role="group" aria-labelledby="stem">{rows}</div>
            }
            .into_any()
        }
        ItemType::Ordering => {
            let n = item.options.len() as u32;
            let texts = StoredValue::new(item.options.clone());
            let order = move || match current() {
                Some(Answer::Order(o)) if o.len() == n as usize => o,
                _ => (0..n).collect(),
            };
            let answered = move || matches!(current(), Some(Answer::Order(_)));
            let shift = move |at: usize, up: bool| {
                let mut o = order();
                let to = if up { at.checked_sub(1) } else { Some(at + 1) };
                if let Some(to) = to.filter(|t| *t < o.len()) {
                    o.swap(at, to);
                }
                choose(item_id.get_value(), Some(Answer::Order(o)));
            };
            let rows = move || {
                let o = order();
                let last = o.len().saturating_sub(1);
                o.into_iter()
                    .enumerate()
                    .map(|(at, pos)| {
                        let text = texts.with_value(|t| t.get(pos as usize).cloned().unwrap_or_default());
                        view! {
                            <li class="order-row" data-position=pos>
                                <span class="option-text">{text_of(text)}</span>
                                <button type="button" class="small" data-changes="" id=format!("up-{at}") disabled=move || at == 0 || finishing.get()
                                    aria-label=move || t_string!(i18n, test_move_up)
                                    on:click=move |_| shift(at, true)>"↑"</button>
                                <button type="button" class="small" data-changes="" id=format!("down-{at}") disabled=move || at == last || finishing.get()
                                    aria-label=move || t_string!(i18n, test_move_down)
                                    on:click=move |_| shift(at, false)>"↓"</button>
                            </li>
                        }
                    })
                    .collect_view()
            };
            view! {
                <p class="hint" id="answer-hint">{t!(i18n, test_order_hint)}</p>
                <ol class="ordering" id="ordering">{rows}</ol>
                <button type="button" id="keep-order" data-changes="" class:chosen=answered disabled=move || finishing.get()
                    on:click=move |_| choose(item_id.get_value(), Some(Answer::Order(order())))>
                    {t!(i18n, test_keep_order)}
                </button>
            }
            .into_any()
        }
        ItemType::Numeric | ItemType::ShortText => {
            let numeric = item.kind == ItemType::Numeric;
            let shown = match untrack(current) {
                Some(Answer::Number(x)) => x.to_string(),
                Some(Answer::Text(t)) => t,
                _ => String::new(),
            };
            let invalid = RwSignal::new(false);
            let on_input = move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                if value.trim().is_empty() {
                    invalid.set(false);
                    choose(item_id.get_value(), None);
                } else if numeric {
                    match parse_number(&value) {
                        Some(x) => {
                            invalid.set(false);
                            choose(item_id.get_value(), Some(Answer::Number(x)));
                        }
                        None => invalid.set(true),
                    }
                } else {
                    choose(item_id.get_value(), Some(Answer::Text(value)));
                }
            };
            view! {
                <label class="answer-field">
                    <span>{move || if numeric { t_string!(i18n, test_number_label).to_string() } else { t_string!(i18n, test_text_label).to_string() }}</span>
                    <input type="text" id=if numeric { "answer-number" } else { "answer-text" }
                        inputmode=if numeric { "decimal" } else { "text" }
                        maxlength="500" autocomplete="off" prop:value=shown
                        aria-invalid=move || if invalid.get() { "true" } else { "false" }
                        disabled=move || finishing.get() on:input=on_input />
                </label>
                {move || invalid.get().then(|| view! { <p class="field-error" role="alert">{t!(i18n, test_number_hint)}</p> })}
            }
            .into_any()
        }
    }
}
