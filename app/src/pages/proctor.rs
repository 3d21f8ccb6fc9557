//! Proctoring: the sittings list (staff schedule sittings and assign people there), and the
//! live dashboard of one sitting: a row per applicant pushed by server-sent events, each
//! applicant's timeline, and the interventions.

use super::{ErrorNote, termination_reason};
use crate::api::{
    applicant_identity, attempt_events, credit_requests, decide_credit, intervene,
    message_applicant, message_sitting, now_ms, sitting_assign, sitting_create, sitting_pause,
    sittings,
};
use crate::i18n::*;
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn fmt_time(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

fn local_input_to_ms(value: &str) -> Option<i64> {
    // `YYYY-MM-DDTHH:MM` from a datetime-local field, read as UTC+5 (Kazakhstan).
    let (date, time) = value.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|x| x.parse::<i64>().ok());
    let (h, min) = (t.next()??, t.next()??);
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h - 5) * 60 + min) * 60_000)
}

#[component]
pub fn SittingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let (list, reload) = super::server_data(|| (), |_| sittings());
    let me = Resource::new(|| (), |_| crate::api::current_user());
    let message = RwSignal::new(None::<String>);
    let form = RwSignal::new(SittingInput {
        name: String::new(),
        blueprint_id: "stage1-2026".into(),
        region: String::new(),
        mode: "online".into(),
        venue: String::new(),
        opens_ms: 0,
        closes_ms: 0,
        requires_admission: true,
        campaign_id: None,
        camera: true,
        snapshot_seconds: None,
    });
    let snapshots = RwSignal::new(String::new());
    let opens = RwSignal::new(String::new());
    let closes = RwSignal::new(String::new());
    let create = move |_| {
        let mut input = form.get_untracked();
        input.opens_ms = local_input_to_ms(&opens.get_untracked()).unwrap_or(0);
        input.closes_ms = local_input_to_ms(&closes.get_untracked()).unwrap_or(0);
        input.camera = input.camera && input.mode == "online";
        input.snapshot_seconds = snapshots.get_untracked().trim().parse().ok();
        leptos::task::spawn_local(async move {
            match sitting_create(input).await {
                Ok(s) => {
                    message.set(Some(format!("✓ {}", s.name)));
                    reload();
                }
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    let field = move |id: &'static str,
                      get: fn(&SittingInput) -> String,
                      set: fn(&mut SittingInput, String)| {
        view! {
            <input type="text" id=id prop:value=move || form.with(get)
                on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| set(f, v)); } />
        }
    };
    let assign = move |id: String, who: &'static str, text: String| {
        let role = if who == "proctors" {
            Role::Proctor
        } else {
            Role::Applicant
        };
        leptos::task::spawn_local(async move {
            match sitting_assign(id, role, AssignInput { text }).await {
                Ok(r) if r.errors.is_empty() => {
                    message.set(Some(format!("✓ {} + {}", who, r.added.len())));
                    reload();
                }
                Ok(r) => message.set(Some(
                    r.errors
                        .iter()
                        .map(|e| format!("{}: {}", e.line, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                )),
                Err(e) => message.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="card wide">
            <h1>{t!(i18n, pr_sittings)}</h1>
            {move || message.get().map(|m| view! { <p class="notice" role="status" id="sittings-message">{m}</p> })}
            <Transition fallback=move || view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }>
            {move || match list.get() {
                None => view! { <p class="muted loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorNote error /> }.into_any(),
                Some(Ok(rows)) => view! {
                    {rows.is_empty().then(|| view! { <p class="muted empty" role="status">{t!(i18n, empty_list)}</p> })}
                    <table class="table" id="sittings">
                        <thead><tr><th>{t!(i18n, pr_name)}</th><th>{t!(i18n, pr_region)}</th><th>{t!(i18n, pr_window)}</th>
                            <th class="num">{t!(i18n, pr_applicants)}</th><th>{t!(i18n, pr_proctors)}</th><th></th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|s| {
                                let sid = StoredValue::new(s.id.clone());
                                let people = RwSignal::new(String::new());
                                view! {
                                    <tr data-id=s.id.clone()>
                                        <td><a href=format!("/proctor/{}", s.id) class="open-sitting">{s.name.clone()}</a></td>
                                        <td>{s.region.clone()}</td>
                                        <td>{format!("{} – {}", crate::pages::fmt_utc(s.opens_ms), crate::pages::fmt_utc(s.closes_ms))}</td>
                                        <td class="num">{s.applicants}</td>
                                        <td>{s.proctors.join(", ")}</td>
                                        <td>
                                            <textarea rows="2" class="assign-text" placeholder="email@…" prop:value=people
                                                on:input=move |ev| people.set(event_target_value(&ev))></textarea>
                                            <button type="button" class="small assign-applicants" data-changes="" on:click=move |_| assign(sid.get_value(), "applicants", people.get_untracked())>{t!(i18n, pr_add_applicants)}</button>
                                            <button type="button" class="small assign-proctors" data-changes="" on:click=move |_| assign(sid.get_value(), "proctors", people.get_untracked())>{t!(i18n, pr_add_proctors)}</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let admin = matches!(me.await, Ok(Some(u)) if u.role == Role::Admin);
                    admin.then(|| view! {
                        <h2>{t!(i18n, pr_schedule)}</h2>
                        <div class="form-grid">
                            <label class="field"><span>{t!(i18n, pr_name)}</span>{field("s-name", |f| f.name.clone(), |f, v| f.name = v)}</label>
                            <label class="field"><span>{t!(i18n, pr_blueprint)}</span>{field("s-blueprint", |f| f.blueprint_id.clone(), |f, v| f.blueprint_id = v)}</label>
                            <label class="field"><span>{t!(i18n, pr_region)}</span>{field("s-region", |f| f.region.clone(), |f, v| f.region = v)}</label>
                            <label class="field"><span>{t!(i18n, pr_mode)}</span>
                                <select id="s-mode" on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.mode = v); }>
                                    <option value="online">{t!(i18n, pr_online)}</option>
                                    <option value="venue">{t!(i18n, pr_venue)}</option>
                                </select></label>
                            <label class="field"><span>{t!(i18n, pr_venue)}</span>{field("s-venue", |f| f.venue.clone(), |f, v| f.venue = v)}</label>
                            <label class="field"><span>{t!(i18n, pr_opens)}</span>
                                <input type="datetime-local" id="s-opens" on:input=move |ev| opens.set(event_target_value(&ev)) /></label>
                            <label class="field"><span>{t!(i18n, pr_closes)}</span>
                                <input type="datetime-local" id="s-closes" on:input=move |ev| closes.set(event_target_value(&ev)) /></label>
                            <label class="inline"><input type="checkbox" id="s-admission" prop:checked=move || form.with(|f| f.requires_admission)
                                on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| f.requires_admission = v); } />{t!(i18n, pr_admission)}</label>
                            <label class="inline"><input type="checkbox" id="s-camera" prop:checked=move || form.with(|f| f.camera)
                                on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| f.camera = v); } />{t!(i18n, pr_camera)}</label>
                            <label class="field"><span>{t!(i18n, pr_snapshots)}</span>
                                <input type="number" id="s-snapshots" min="30" max="3600" prop:value=snapshots
                                    on:input=move |ev| snapshots.set(event_target_value(&ev)) /></label>
                        </div>
                        <button type="button" class="primary" id="s-create" data-changes="" on:click=create>{t!(i18n, pr_create)}</button>
                    })
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn MonitorPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let sitting_id = StoredValue::new(id.clone());
    let rows = RwSignal::new(Vec::<MonitorRow>::new());
    let feed = RwSignal::new(Vec::<(String, AttemptEvent)>::new());
    let connected = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let offset = RwSignal::new(0i64);
    let now = RwSignal::new(now_ms());
    let selected = RwSignal::new(None::<String>);
    let timeline = RwSignal::new(Vec::<AttemptEvent>::new());
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new("name".to_string());
    let note = RwSignal::new(String::new());
    let minutes = RwSignal::new("5".to_string());

    let pending = StoredValue::new(std::collections::HashMap::<String, MonitorRow>::new());
    let flush = move || {
        let changed = pending.try_update_value(std::mem::take).unwrap_or_default();
        if !changed.is_empty() {
            rows.update(|rs| {
                for (_, row) in changed {
                    match rs.iter_mut().find(|r| r.user_id == row.user_id) {
                        Some(r) => *r = row,
                        None => rs.push(row),
                    }
                }
            });
        }
    };
    let on_message = move |m: FeedMessage| match m {
        FeedMessage::Snapshot {
            rows: all,
            server_now_ms,
        } => {
            offset.set(server_now_ms - now_ms());
            rows.set(all);
            connected.set(true);
        }
        FeedMessage::Row { row, server_now_ms } => {
            // Collected and applied twice a second: with hundreds of applicants the table is
            // redrawn at a steady pace, not once per message.
            offset.set(server_now_ms - now_ms());
            pending.update_value(|p| {
                p.insert(row.user_id.clone(), row);
            });
        }
        FeedMessage::Event { user_id, event, .. } => {
            if selected.get_untracked().as_deref() == Some(user_id.as_str()) {
                timeline.update(|t| t.push(event.clone()));
            }
            feed.update(|f| {
                f.insert(0, (user_id, event));
                f.truncate(200);
            });
        }
    };
    Effect::new(move |_| {
        open_feed(sitting_id.get_value(), on_message, connected);
        if let Ok(h) = set_interval_with_handle(
            move || {
                flush();
                now.set(now_ms() + offset.get_untracked());
            },
            std::time::Duration::from_millis(500),
        ) {
            on_cleanup(move || h.clear());
        }
    });

    let identity = RwSignal::new(None::<IdentityView>);
    let load_identity = move |user_id: String| {
        let sitting = sitting_id.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(v) = applicant_identity(sitting, user_id).await {
                identity.set(Some(v));
            }
        });
    };
    let select = move |user_id: String, attempt: Option<String>| {
        selected.set(Some(user_id.clone()));
        identity.set(None);
        load_identity(user_id);
        timeline.set(vec![]);
        if let Some(a) = attempt {
            leptos::task::spawn_local(async move {
                if let Ok(events) = attempt_events(a).await {
                    timeline.set(events);
                }
            });
        }
    };
    // Ending an attempt asks first: whose, why (a reason the applicant reads in their
    // language), and that it cannot be undone.
    let ending = RwSignal::new(false);
    let end_reason = RwSignal::new(String::new());
    let act = move |action: &'static str| {
        let Some(user) = selected.get_untracked() else {
            return;
        };
        let body = InterventionInput {
            action: action.into(),
            message: note.get_untracked(),
            minutes: minutes.get_untracked().trim().parse().ok(),
            reason: (action == "terminate").then(|| end_reason.get_untracked()),
        };
        let sitting = sitting_id.get_value();
        leptos::task::spawn_local(async move {
            match intervene(sitting, user, body).await {
                Ok(row) => {
                    error.set(None);
                    note.set(String::new());
                    rows.update(|rs| {
                        if let Some(r) = rs.iter_mut().find(|r| r.user_id == row.user_id) {
                            *r = row;
                        }
                    });
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    // A message to the selected applicant, or to everyone taking the test here (the text of
    // the message field).
    let message = move |everyone: bool| {
        let input = MessageInput {
            text: note.get_untracked(),
        };
        let sitting = sitting_id.get_value();
        let to = if everyone {
            None
        } else {
            let Some(user) = selected.get_untracked() else {
                return;
            };
            Some(user)
        };
        leptos::task::spawn_local(async move {
            let sent = match to {
                None => message_sitting(sitting, input).await.map(|_| ()),
                Some(user) => message_applicant(sitting, user, input).await.map(|_| ()),
            };
            match sent {
                Ok(()) => {
                    error.set(None);
                    note.set(String::new());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let whole = move |pause: bool| {
        let sitting = sitting_id.get_value();
        let reason = note.get_untracked();
        leptos::task::spawn_local(async move {
            if let Err(e) = sitting_pause(sitting, pause, reason).await {
                error.set(Some(e.message));
            }
        });
    };

    let shown = move || {
        let f = filter.get();
        let mut list: Vec<MonitorRow> = rows
            .get()
            .into_iter()
            .filter(|r| f.is_empty() || r.status == f)
            .collect();
        match sort.get().as_str() {
            "status" => list.sort_by(|a, b| a.status.cmp(&b.status)),
            "answered" => list.sort_by_key(|r| std::cmp::Reverse(r.answered)),
            "integrity" => list.sort_by_key(|r| std::cmp::Reverse(r.integrity_events)),
            "last_seen" => list.sort_by_key(|r| r.last_seen_ms.unwrap_or(0)),
            _ => list.sort_by(|a, b| a.full_name.cmp(&b.full_name)),
        }
        list
    };
    let time_left = move |r: &MonitorRow| match (r.remaining_ms, r.deadline_ms) {
        (Some(left), _) => fmt_time(left),
        (None, Some(d)) if r.status == "in_progress" => fmt_time(d - now.get()),
        _ => "—".into(),
    };
    let seen = move |r: &MonitorRow| match r.last_seen_ms {
        Some(t) if r.status == "in_progress" || r.status == "paused" => {
            let ago = (now.get() - t) / 1000;
            if ago > 35 {
                ("lost", format!("{ago} s"))
            } else {
                ("online", format!("{ago} s"))
            }
        }
        Some(_) => ("", String::new()),
        None => ("", "—".into()),
    };
    let status_name = move |s: &str| -> String {
        match s {
            "not_started" => t_string!(i18n, pr_st_not_started).to_string(),
            "waiting" => t_string!(i18n, pr_st_waiting).to_string(),
            "in_progress" => t_string!(i18n, pr_st_in_progress).to_string(),
            "paused" => t_string!(i18n, pr_st_paused).to_string(),
            "submitted" => t_string!(i18n, pr_st_submitted).to_string(),
            "expired" => t_string!(i18n, pr_st_expired).to_string(),
            _ => t_string!(i18n, pr_st_terminated).to_string(),
        }
    };

    view! {
        <section class="card wide monitor">
            <p><a href="/proctor">{t!(i18n, pr_back)}</a>" · "
               <a href=format!("/api/v1/sittings/{id}/incidents.csv") id="export-csv" download="">{t!(i18n, pr_export)}</a></p>
            <h1>{t!(i18n, pr_monitor)}</h1>
            <p class="muted" id="feed-state" data-connected=move || connected.get().to_string()>
                {move || if connected.get() { t_string!(i18n, pr_live).to_string() } else { t_string!(i18n, pr_connecting).to_string() }}
            </p>
            {move || error.get().map(|e| view! { <p class="alert" role="alert" id="monitor-error">{e}</p> })}
            <div class="q-actions">
                <label class="inline">{t!(i18n, pr_filter)}
                    <select id="filter" on:change=move |ev| filter.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {["not_started", "waiting", "in_progress", "paused", "submitted", "expired", "terminated"].into_iter()
                            .map(|s| view! { <option value=s>{move || status_name(s)}</option> }).collect_view()}
                    </select></label>
                <label class="inline">{t!(i18n, pr_sort)}
                    <select id="sort" on:change=move |ev| sort.set(event_target_value(&ev))>
                        <option value="name">{t!(i18n, pr_name)}</option>
                        <option value="status">{t!(i18n, pr_status)}</option>
                        <option value="answered">{t!(i18n, pr_answered)}</option>
                        <option value="integrity">{t!(i18n, pr_integrity)}</option>
                        <option value="last_seen">{t!(i18n, pr_last_seen)}</option>
                    </select></label>
                <button type="button" id="pause-all" data-changes="" on:click=move |_| whole(true)>{t!(i18n, pr_pause_all)}</button>
                <button type="button" id="resume-all" data-changes="" on:click=move |_| whole(false)>{t!(i18n, pr_resume_all)}</button>
                <button type="button" id="message-all" data-changes="" on:click=move |_| message(true)>{t!(i18n, pr_message_all)}</button>
            </div>
            <div class="monitor-body">
                {move || shown().is_empty().then(|| view! { <p class="muted empty" role="status" id="monitor-empty">{t!(i18n, empty_filtered)}</p> })}
                <table class="table" id="monitor">
                    <thead><tr>
                        <th>{t!(i18n, pr_applicant)}</th><th>{t!(i18n, pr_status)}</th><th class="num">{t!(i18n, pr_answered)}</th>
                        <th class="num">{t!(i18n, pr_time_left)}</th><th>{t!(i18n, pr_last_seen)}</th><th class="num">{t!(i18n, pr_integrity)}</th>
                    </tr></thead>
                    <tbody>
                        {move || shown().into_iter().map(|r| {
                            let uid = r.user_id.clone();
                            let attempt = r.attempt_id.clone();
                            let is_selected = move || selected.get().as_deref() == Some(uid.as_str());
                            let (conn, ago) = seen(&r);
                            let left = time_left(&r);
                            let uid2 = r.user_id.clone();
                            view! {
                                <tr data-email=r.email.clone() data-status=r.status.clone() class:selected=is_selected
                                    on:click=move |_| select(uid2.clone(), attempt.clone())>
                                    <td>{r.full_name.clone()}<br/><span class="muted">{r.email.clone()}</span></td>
                                    <td class="status">{status_name(&r.status)}</td>
                                    <td class="num answered">{format!("{} / {}", r.answered, r.total)}</td>
                                    <td class="num time-left">{left}</td>
                                    <td class=format!("conn {conn}")>{ago}</td>
                                    <td class="num integrity">{r.integrity_events}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <aside class="timeline" id="timeline">
                    {move || selected.get().map(|_| view! {
                        <IdentityPanel identity />
                        <h2>{t!(i18n, pr_actions)}</h2>
                        <label class="field"><span>{t!(i18n, pr_message)}</span>
                            <input type="text" id="act-message" prop:value=note on:input=move |ev| note.set(event_target_value(&ev)) /></label>
                        <label class="field"><span>{t!(i18n, pr_minutes)}</span>
                            <input type="number" id="act-minutes" min="1" max="240" prop:value=minutes on:input=move |ev| minutes.set(event_target_value(&ev)) /></label>
                        <div class="q-actions wrap">
                            <button type="button" id="act-admit" data-changes="" on:click=move |_| act("admit")>{t!(i18n, pr_admit)}</button>
                            <button type="button" id="act-refuse" data-changes="" on:click=move |_| act("refuse")>{t!(i18n, pr_refuse)}</button>
                            <button type="button" id="act-warn" data-changes="" on:click=move |_| act("warn")>{t!(i18n, pr_warn)}</button>
                            <button type="button" id="act-pause" data-changes="" on:click=move |_| act("pause")>{t!(i18n, pr_pause)}</button>
                            <button type="button" id="act-resume" data-changes="" on:click=move |_| act("resume")>{t!(i18n, pr_resume)}</button>
                            <button type="button" id="act-add-time" data-changes="" on:click=move |_| act("add_time")>{t!(i18n, pr_add_time)}</button>
                            <button type="button" class="danger" id="act-terminate"
                                on:click=move |_| { end_reason.set(String::new()); ending.set(true); }>{t!(i18n, pr_terminate)}</button>
                            <button type="button" id="act-send-message" data-changes="" on:click=move |_| message(false)>{t!(i18n, pr_message_one)}</button>
                        </div>
                        {move || ending.get().then(|| {
                            let who = selected.get_untracked().and_then(|id| {
                                rows.with_untracked(|rs| rs.iter().find(|r| r.user_id == id).map(|r| r.full_name.clone()))
                            }).unwrap_or_default();
                            let can_end = move || {
                                let r = end_reason.get();
                                !r.is_empty() && (r != "other" || !note.get().trim().is_empty())
                            };
                            view! {
                                <div class="overlay">
                                    <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="end-title" id="end-dialog">
                                        <h2 id="end-title">{t!(i18n, pr_end_title, name = move || who.clone())}</h2>
                                        <p>{t!(i18n, pr_end_effect)}</p>
                                        <label class="field" for="end-reason"><span>{t!(i18n, pr_end_reason)}</span>
                                            <select id="end-reason" on:change=move |ev| end_reason.set(event_target_value(&ev))>
                                                <option value="" selected=true>{t!(i18n, pr_end_choose)}</option>
                                                {TERMINATION_REASONS.iter().map(|r| view! {
                                                    <option value=*r>{move || termination_reason(i18n, r)}</option>
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <label class="field" for="end-note"><span>{t!(i18n, pr_end_note)}</span>
                                            <textarea id="end-note" rows="2" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                                        </label>
                                        <div class="q-actions">
                                            <button type="button" id="end-cancel" data-cancel="" on:click=move |_| ending.set(false)>{t!(i18n, cancel)}</button>
                                            <button type="button" class="danger" id="end-confirm" data-changes=""
                                                disabled=move || !can_end()
                                                on:click=move |_| { ending.set(false); act("terminate"); }>{t!(i18n, pr_end_confirm)}</button>
                                        </div>
                                    </div>
                                </div>
                            }
                        })}
                        <h2>{t!(i18n, pr_timeline)}</h2>
                        <ol class="events" id="events">
                            {move || timeline.get().into_iter().rev().map(|e| view! {
                                <li class=format!("event {}", e.category) data-kind=e.kind.clone()>
                                    <span class="muted">{crate::pages::fmt_utc(e.at_ms)}</span>" "
                                    <strong>{event_name(i18n, &e.kind)}</strong>" "
                                    {(!e.actor.is_empty()).then(|| format!("· {}", e.actor))}
                                    {e.detail["text"].as_str().map(|t| view! { <q class="message-text">{t.to_string()}</q> })}
                                </li>
                            }).collect_view()}
                        </ol>
                    })}
                </aside>
            </div>
            <CreditRequests sitting_id=id.clone() />
            <h2>{t!(i18n, pr_feed)}</h2>
            <ol class="events" id="feed">
                {move || feed.get().into_iter().take(30).map(|(user, e)| {
                    let who = rows.with(|rs| rs.iter().find(|r| r.user_id == user).map(|r| r.full_name.clone()).unwrap_or_default());
                    view! {
                        <li class=format!("event {}", e.category) data-kind=e.kind.clone()>
                            <span class="muted">{crate::pages::fmt_utc(e.at_ms)}</span>" "{who}" · "<strong>{event_name(i18n, &e.kind)}</strong>
                            {e.detail["text"].as_str().map(|t| view! { " " <q class="message-text">{t.to_string()}</q> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The applicant's identity as the proctor checks it: name, masked IIN, the photo with the
/// application beside the picture taken at the start, and the snapshots (each view logged).
#[component]
fn IdentityPanel(identity: RwSignal<Option<IdentityView>>) -> impl IntoView {
    let i18n = use_i18n();
    let img = |p: &PhotoRef, alt: String| {
        view! { <img class="id-photo" src=format!("/api/v1/photos/{}", p.id) alt=alt data-kind=p.kind.clone() width="160" /> }
    };
    view! {
        {move || identity.get().map(|v| {
            let missing = t_string!(i18n, pr_no_photo).to_string();
            view! {
                <section class="identity" id="identity" aria-labelledby="identity-title">
                    <h2 id="identity-title">{t!(i18n, pr_identity)}</h2>
                    <p><strong id="identity-name">{v.full_name.clone()}</strong>" · "
                       <span id="identity-iin">{t!(i18n, pr_iin)}" "{v.iin_masked.clone().unwrap_or_else(|| "—".into())}</span></p>
                    <div class="id-photos">
                        <figure id="photo-application">
                            {match &v.application_photo { Some(p) => img(p, t_string!(i18n, pr_photo_application).to_string()).into_any(), None => view! { <p class="muted">{missing.clone()}</p> }.into_any() }}
                            <figcaption>{t!(i18n, pr_photo_application)}</figcaption>
                        </figure>
                        <figure id="photo-start">
                            {match &v.start_photo { Some(p) => img(p, t_string!(i18n, pr_photo_start).to_string()).into_any(), None => view! { <p class="muted">{missing.clone()}</p> }.into_any() }}
                            <figcaption>{t!(i18n, pr_photo_start)}</figcaption>
                        </figure>
                    </div>
                    {v.admitted_by.clone().map(|b| view! { <p class="muted" id="identity-checked">{t!(i18n, pr_identity_checked)}" "{b}</p> })}
                    {v.refused.clone().map(|r| view! { <p class="alert" id="identity-refused">{t!(i18n, pr_identity_refused)}" "{r}</p> })}
                    {(!v.snapshots.is_empty()).then(|| view! {
                        <h3>{t!(i18n, pr_snapshots)}</h3>
                        <div class="id-photos" id="snapshots">
                            {v.snapshots.iter().map(|p| view! {
                                <figure>{img(p, t_string!(i18n, pr_snapshots).to_string())}
                                    <figcaption>{crate::pages::fmt_utc(p.taken_ms)}</figcaption></figure>
                            }).collect_view()}
                        </div>
                    })}
                </section>
            }
        })}
    }
}

/// Lost connections the server cannot vouch for: the measured gap, what a sitting-wide outage
/// covered, what the page did meanwhile; the proctor gives the time back or declines with a
/// reason. Read again every 5 seconds.
#[component]
fn CreditRequests(sitting_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(Vec::<CreditRequestView>::new());
    let error = RwSignal::new(None::<String>);
    let reasons = RwSignal::new(std::collections::HashMap::<String, String>::new());
    let sitting = StoredValue::new(sitting_id);
    let load = move || {
        leptos::task::spawn_local(async move {
            if let Ok(l) = credit_requests(sitting.get_value()).await {
                list.set(l);
            }
        });
    };
    Effect::new(move |_| {
        load();
        if let Ok(h) = set_interval_with_handle(load, std::time::Duration::from_secs(5)) {
            on_cleanup(move || h.clear());
        }
    });
    let decide = move |id: String, grant: bool| {
        let reason = reasons.with_untracked(|r| r.get(&id).cloned().unwrap_or_default());
        let body = CreditDecisionInput { grant, reason };
        leptos::task::spawn_local(async move {
            match decide_credit(id, body).await {
                Ok(_) => {
                    error.set(None);
                    load();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let minutes = |ms: i64| format!("{}:{:02}", ms / 60_000, (ms % 60_000) / 1000);
    view! {
        <section class="credit-requests" id="credit-requests" aria-labelledby="credit-title">
            <h2 id="credit-title">{t!(i18n, pr_credit_title)}</h2>
            {move || error.get().map(|e| view! { <p class="alert" role="alert" id="credit-error">{e}</p> })}
            {move || list.with(|l| l.iter().all(|r| r.status != "pending")).then(|| view! {
                <p class="muted" id="credit-none">{t!(i18n, pr_credit_none)}</p>
            })}
            <ul class="events">
                {move || list.get().into_iter().filter(|r| r.status != "covered").map(|r| {
                    let id = r.id.clone();
                    let (id2, id3, id4) = (id.clone(), id.clone(), id.clone());
                    let gap = minutes(r.gap_ms);
                    let auto = minutes(r.auto_ms);
                    let asked = minutes(r.requested_ms);
                    let from = crate::pages::fmt_utc(r.since_ms);
                    let to = crate::pages::fmt_utc(r.until_ms);
                    let signals = if r.signals.is_empty() {
                        "—".to_string()
                    } else {
                        r.signals.iter().map(|s| event_name(i18n, &s.kind)).collect::<Vec<_>>().join(", ")
                    };
                    let answers = r.answers_after;
                    let pending = r.status == "pending" && r.attempt_open;
                    let label = format!("credit-reason-{id}");
                    view! {
                        <li class="credit" data-status=r.status.clone() data-email=r.email.clone()>
                            <strong>{r.full_name.clone()}</strong>" "<span class="muted">{r.email.clone()}</span><br/>
                            {t!(i18n, pr_credit_gap, gap = move || gap.clone(), from = move || from.clone(),
                                to = move || to.clone(), auto = move || auto.clone(), asked = move || asked.clone())}<br/>
                            {t!(i18n, pr_credit_meanwhile, signals = move || signals.clone(), answers = move || answers)}
                            {(!pending).then(|| view! {
                                <p class="muted">{t!(i18n, pr_credit_status)}": "{r.status.clone()}" "
                                    {r.decided_by.clone().map(|b| format!("· {b}"))}" "{r.reason.clone()}</p>
                            })}
                            {pending.then(|| view! {
                                <label class="field" for=label.clone()><span>{t!(i18n, pr_credit_reason)}</span>
                                    <input type="text" id=label.clone() class="credit-reason"
                                        on:input=move |ev| { let v = event_target_value(&ev); reasons.update(|r| { r.insert(id2.clone(), v); }); } />
                                </label>
                                <div class="q-actions">
                                    <button type="button" class="credit-grant" data-changes="" on:click=move |_| decide(id3.clone(), true)>{t!(i18n, pr_credit_grant)}</button>
                                    <button type="button" class="credit-decline" data-changes="" on:click=move |_| decide(id4.clone(), false)>{t!(i18n, pr_credit_decline)}</button>
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Opens the sitting's live feed (server-sent events; the browser reconnects by itself and the
/// server starts every connection with a snapshot).
fn open_feed(
    sitting_id: String,
    on_message: impl Fn(FeedMessage) + 'static,
    connected: RwSignal<bool>,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let Ok(source) = web_sys::EventSource::new(&format!("/api/v1/sittings/{sitting_id}/feed"))
        else {
            return;
        };
        let handler =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some(text) = e.data().as_string()
                    && let Ok(m) = serde_json::from_str::<FeedMessage>(&text)
                {
                    on_message(m);
                }
            });
        source.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        let lost = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| connected.set(false));
        source.set_onerror(Some(lost.as_ref().unchecked_ref()));
        lost.forget();
        let source = StoredValue::new_local(source);
        on_cleanup(move || source.with_value(|s| s.close()));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (sitting_id, on_message, connected);
}

/// An event of an attempt's timeline in the reader's language (the code itself stays in the
/// incident report and in `data-kind`).
fn event_name(i18n: leptos_i18n::I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "started" => t_string!(i18n, ev_started).to_string(),
        "submitted" => t_string!(i18n, ev_submitted).to_string(),
        "expired" => t_string!(i18n, ev_expired).to_string(),
        "terminated" => t_string!(i18n, ev_terminated).to_string(),
        "paused" => t_string!(i18n, ev_paused).to_string(),
        "resumed" => t_string!(i18n, ev_resumed).to_string(),
        "warning" => t_string!(i18n, ev_warning).to_string(),
        "time_added" => t_string!(i18n, ev_time_added).to_string(),
        "time_credited" => t_string!(i18n, ev_time_credited).to_string(),
        "admitted" => t_string!(i18n, ev_admitted).to_string(),
        "refused" => t_string!(i18n, ev_refused).to_string(),
        "ip_changed" => t_string!(i18n, ev_ip_changed).to_string(),
        "iin_changed" => t_string!(i18n, ev_iin_changed).to_string(),
        "connection_lost" => t_string!(i18n, ev_connection_lost).to_string(),
        "device_takeover" => t_string!(i18n, ev_device_takeover).to_string(),
        "message" => t_string!(i18n, ev_message).to_string(),
        "message_from_applicant" => t_string!(i18n, ev_message_from_applicant).to_string(),
        "tab_hidden" => t_string!(i18n, ev_tab_hidden).to_string(),
        "tab_visible" => t_string!(i18n, ev_tab_visible).to_string(),
        "window_blur" => t_string!(i18n, ev_window_blur).to_string(),
        "window_focus" => t_string!(i18n, ev_window_focus).to_string(),
        "fullscreen_exit" => t_string!(i18n, ev_fullscreen_exit).to_string(),
        "fullscreen_enter" => t_string!(i18n, ev_fullscreen_enter).to_string(),
        "copy" => t_string!(i18n, ev_copy).to_string(),
        "cut" => t_string!(i18n, ev_cut).to_string(),
        "paste" => t_string!(i18n, ev_paste).to_string(),
        "context_menu" => t_string!(i18n, ev_context_menu).to_string(),
        "camera_stopped" => t_string!(i18n, ev_camera_stopped).to_string(),
        "camera_started" => t_string!(i18n, ev_camera_started).to_string(),
        "incident" => t_string!(i18n, ev_incident).to_string(),
        other => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_times_read_as_kazakhstan_time() {
        // 2026-11-23 10:00 in Astana (UTC+5) is 05:00 UTC.
        assert_eq!(
            super::local_input_to_ms("2026-11-23T10:00"),
            Some(1_795_410_000_000)
        );
        assert_eq!(super::local_input_to_ms("bad"), None);
    }
}
