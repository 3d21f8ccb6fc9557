//! The selection pipeline through the REST API: a candidate carried from application through
//! all five stages to a certificate, the reserve and an appointment; the entry rule (a failed
//! stage closes the later ones); appeals with their evidence; CSV uploads with line errors;
//! rank cuts with regional quotas; the public verification and the funnel.

use anyhow::Context;
use qabilet_tests::*;
use serde_json::{Value, json};

const CAMPAIGN: &str = "test-2026";

fn application(iin: &str, name: &str, region: &str, email: &str) -> Value {
    json!({
        "campaign_id": CAMPAIGN,
        "iin": iin,
        "full_name": name,
        "region": region,
        "district": "Sairam",
        "school": "School-lyceum No. 12",
        "position": "deputy director",
        "teaching_years": 14,
        "management_years": 4,
        "email": email,
        "phone": "+7 701 555 12 34",
    })
}

async fn campaign(admin: &Api, settings: Value) -> anyhow::Result<()> {
    let r = admin
        .put(
            &format!("/api/v1/campaigns/{CAMPAIGN}"),
            &json!({
                "id": CAMPAIGN, "name": "Test round 2026", "year": 2026, "round": 1,
                "blueprint_id": "stage1-2026", "open": true, "settings": settings,
            }),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(())
}

fn stage_status(app: &Value, stage: u64) -> Option<String> {
    app["stages"]
        .as_array()?
        .iter()
        .find(|s| s["stage"].as_u64() == Some(stage))
        .and_then(|s| s["status"].as_str().map(str::to_string))
}

async fn take_test(server: &TestServer, api: &Api, correctly: bool) -> anyhow::Result<Value> {
    let attempt = api
        .post("/api/v1/attempts", &json!({"language": "en"}))
        .await?;
    assert_eq!(attempt.status, 200, "{}", attempt.text);
    let id = attempt.body["id"].as_str().unwrap_or_default().to_string();
    if correctly {
        let correct = server.correct_positions(&id).await?;
        for (seq, item) in item_ids(&attempt.body).iter().enumerate() {
            let r = api
                .put(
                    &format!("/api/v1/attempts/{id}/responses/{item}"),
                    &json!({"seq": seq as i64 + 1, "choice": correct[item]}),
                )
                .await?;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
    let result = api
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await?;
    assert_eq!(result.status, 200, "{}", result.text);
    Ok(result.body)
}

async fn my_application(api: &Api) -> anyhow::Result<Value> {
    let r = api.get("/api/v1/me/applications").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(r.body[0].clone())
}

const REPORT: &str = "During the internship at the host school I studied how the leadership team \
    plans lessons together, observes each other and uses the results of pupils' work to decide \
    what to change. Back at my school I propose a plan: a weekly planning hour for each subject \
    team, a shared observation form, and a termly review with parents. I reflect on my own \
    leadership: I used to decide alone; now I ask teachers first and share the evidence.";

async fn five_stages(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start(db).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    campaign(
        &admin,
        json!({"rules": [{"stage": 3, "rule": {"cut": {"kind": "mark", "pass_mark": 60.0}}}],
               "appeal_days": 3, "validity_years": 3}),
    )
    .await?;

    // Panels: experts and a commission with its chair; a wrong account is refused by line.
    let wrong = admin
        .put(
            &format!("/api/v1/campaigns/{CAMPAIGN}/panels/expert"),
            &json!({"emails": format!("{}\n{}", EXPERT.0, APPLICANT.0)}),
        )
        .await?;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong.text.contains("line 2"), "{}", wrong.text);
    let experts = admin
        .put(
            &format!("/api/v1/campaigns/{CAMPAIGN}/panels/expert"),
            &json!({"emails": format!("{}\n{}\n{}", EXPERT.0, EXPERT2.0, EXPERT3.0)}),
        )
        .await?;
    assert_eq!(
        experts.body.as_array().map(Vec::len),
        Some(3),
        "{}",
        experts.text
    );
    let commission = admin
        .put(
            &format!("/api/v1/campaigns/{CAMPAIGN}/panels/commission"),
            &json!({"emails": format!("{}\n{}", COMMISSION.0, COMMISSION2.0), "chair": COMMISSION.0}),
        )
        .await?;
    assert_eq!(commission.status, 200, "{}", commission.text);

    // Applications: a mistyped IIN is refused with the reason; one application per campaign.
    let a1 = Api::login(&server.base, APPLICANT.0, APPLICANT.1).await?;
    let a2 = Api::login(&server.base, APPLICANT2.0, APPLICANT2.1).await?;
    let iin1 = valid_iin("850314", 4, 1);
    let iin2 = valid_iin("790921", 3, 1);
    let mut typo = iin1.clone().into_bytes();
    typo[11] = if typo[11] == b'9' { b'0' } else { typo[11] + 1 };
    let typo = String::from_utf8(typo)?;
    let bad = a1
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/applications"),
            &application(&typo, "Айгерим Сапарова", "Turkestan", APPLICANT.0),
        )
        .await?;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.body["message"]
            .as_str()
            .unwrap_or("")
            .contains("check digit"),
        "{}",
        bad.text
    );
    let applied = a1
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/applications"),
            &application(&iin1, "Айгерим Сапарова", "turkestan", APPLICANT.0),
        )
        .await?;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(applied.body["region"], "Turkestan");
    let app1 = applied.body["id"].as_str().unwrap_or_default().to_string();
    let twice = a1
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/applications"),
            &application(&iin1, "Айгерим Сапарова", "Turkestan", APPLICANT.0),
        )
        .await?;
    assert_eq!(twice.status, 409, "{}", twice.text);
    let applied2 = a2
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/applications"),
            &application(&iin2, "Нурлан Ахметов", "Astana", APPLICANT2.0),
        )
        .await?;
    assert_eq!(applied2.status, 200, "{}", applied2.text);
    let app2 = applied2.body["id"].as_str().unwrap_or_default().to_string();

    // Ownership and roles.
    assert_eq!(
        a2.get(&format!("/api/v1/applications/{app1}"))
            .await?
            .status,
        404
    );
    let meddle = a1
        .post(
            &format!("/api/v1/applications/{app1}/stages/2"),
            &json!({"kind": "status", "status": "passed", "reason": "me"}),
        )
        .await?;
    assert_eq!(meddle.status, 403);
    let proctor = Api::login(&server.base, PROCTOR.0, PROCTOR.1).await?;
    assert_eq!(
        proctor
            .get(&format!("/api/v1/campaigns/{CAMPAIGN}/applications"))
            .await?
            .status,
        403
    );

    // Stage 1 from the scored test: A passes with every answer right, B fails with none.
    let r1 = take_test(&server, &a1, true).await?;
    assert_eq!(r1["passed"], true);
    let r2 = take_test(&server, &a2, false).await?;
    assert_eq!(r2["passed"], false);
    let v1 = my_application(&a1).await?;
    assert_eq!(stage_status(&v1, 1).as_deref(), Some("passed"), "{v1}");
    assert_eq!(v1["stages"][0]["score"], 100.0);
    let v2 = my_application(&a2).await?;
    assert_eq!(stage_status(&v2, 1).as_deref(), Some("failed"), "{v2}");

    // B failed stage 1: no later stage may be recorded, by any path.
    let blocked = admin
        .post(
            &format!("/api/v1/applications/{app2}/stages/2"),
            &json!({"kind": "training", "level": 1, "completed": true, "from": "2026-02-01", "to": "2026-02-10"}),
        )
        .await?;
    assert_eq!(blocked.status, 409, "{}", blocked.text);
    assert!(
        blocked.text.contains("only candidates who passed"),
        "{}",
        blocked.text
    );
    let csv = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/stages/2/import"),
            &json!({"csv": format!("iin,level,completed,from,to\n{iin2},1,yes,2026-02-01,2026-02-10\n"), "commit": true}),
        )
        .await?;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(csv.body["committed"], false);
    assert!(
        csv.body["lines"][0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("Stage 1")
    );
    let skip = admin
        .post(
            &format!("/api/v1/applications/{app2}/stages/5"),
            &json!({"kind": "status", "status": "passed", "reason": "skip ahead"}),
        )
        .await?;
    assert_eq!(skip.status, 409);

    // Stage 2: three training levels; pending until the third.
    for level in 1..=3 {
        let r = admin
            .post(
                &format!("/api/v1/applications/{app1}/stages/2"),
                &json!({"kind": "training", "level": level, "completed": true,
                        "from": format!("2026-0{}-01", level + 1), "to": format!("2026-0{}-20", level + 1)}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        let expected = if level < 3 { "pending" } else { "passed" };
        assert_eq!(stage_status(&r.body, 2).as_deref(), Some(expected));
    }
    let bad_dates = admin
        .post(
            &format!("/api/v1/applications/{app1}/stages/3"),
            &json!({"kind": "internship", "host_school": "NIS Turkestan", "mentor": "A. Bekova",
                    "from": "2026-05-20", "to": "2026-05-01", "score": 75.0, "comment": ""}),
        )
        .await?;
    assert_eq!(bad_dates.status, 422);

    // The report cannot be handed in before stage 3 is passed.
    let early = a1
        .post(
            &format!("/api/v1/applications/{app1}/report"),
            &json!({"text": REPORT}),
        )
        .await?;
    assert_eq!(early.status, 409, "{}", early.text);

    // Stage 3: the mentor's score against the campaign's mark (60).
    let r = admin
        .post(
            &format!("/api/v1/applications/{app1}/stages/3"),
            &json!({"kind": "internship", "host_school": "NIS Turkestan", "mentor": "A. Bekova",
                    "from": "2026-05-01", "to": "2026-05-20", "score": 75.0, "comment": "Strong planning"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(stage_status(&r.body, 3).as_deref(), Some("passed"));
    assert_eq!(r.body["report_due"], true);

    // Stage 4: the report, blind double marking, a third marker when the two differ.
    let short = a1
        .post(
            &format!("/api/v1/applications/{app1}/report"),
            &json!({"text": "Too short."}),
        )
        .await?;
    assert_eq!(short.status, 422);
    let handed = a1
        .post(
            &format!("/api/v1/applications/{app1}/report"),
            &json!({"text": REPORT}),
        )
        .await?;
    assert_eq!(handed.status, 200, "{}", handed.text);
    assert_eq!(stage_status(&handed.body, 4).as_deref(), Some("pending"));
    let mut markers = Vec::new();
    for who in [EXPERT, EXPERT2, EXPERT3] {
        let e = Api::login(&server.base, who.0, who.1).await?;
        let tasks = e.get("/api/v1/marking").await?;
        assert_eq!(tasks.status, 200, "{}", tasks.text);
        // Blind: no name, IIN or e-mail of the candidate.
        assert!(!tasks.text.contains("Сапарова") && !tasks.text.contains(&iin1));
        assert!(!tasks.text.contains(APPLICANT.0));
        if let Some(t) = tasks.body.as_array().and_then(|a| a.first()) {
            markers.push((e, t["code"].as_str().unwrap_or_default().to_string()));
        } else {
            markers.insert(0, (e, String::new()));
        }
    }
    // Two experts have it; the third has nothing yet.
    let (idle, _) = markers.remove(0);
    assert_eq!(markers.len(), 2);
    assert!(markers.iter().all(|(_, c)| c.starts_with("R-")));
    let code = markers[0].1.clone();
    let bad_mark = markers[0]
        .0
        .post(
            &format!("/api/v1/marking/{code}"),
            &json!({"levels": [3, 3]}),
        )
        .await?;
    assert_eq!(bad_mark.status, 422);
    let stranger = idle
        .post(
            &format!("/api/v1/marking/{code}"),
            &json!({"levels": [3, 3, 3, 3, 3]}),
        )
        .await?;
    assert_eq!(stranger.status, 404);
    // 25 and 10 points: further apart than the margin (5).
    let m1 = markers[0]
        .0
        .post(
            &format!("/api/v1/marking/{code}"),
            &json!({"levels": [3, 3, 3, 3, 3]}),
        )
        .await?;
    assert_eq!(m1.body["state"], "waiting", "{}", m1.text);
    let again = markers[0]
        .0
        .post(
            &format!("/api/v1/marking/{code}"),
            &json!({"levels": [0, 0, 0, 0, 0]}),
        )
        .await?;
    assert_eq!(again.status, 409);
    let m2 = markers[1]
        .0
        .post(
            &format!("/api/v1/marking/{code}"),
            &json!({"levels": [1, 1, 1, 1, 1]}),
        )
        .await?;
    assert_eq!(m2.body["state"], "third_marker", "{}", m2.text);
    let third = idle.get("/api/v1/marking").await?;
    assert_eq!(third.body[0]["code"], code.as_str());
    assert_eq!(third.body[0]["round"], 3);
    // 22 points: nearer 25, so the final is (25 + 22) / 2 = 23.5 of 25 = 94%.
    let m3 = idle
        .post(
            &format!("/api/v1/marking/{code}"),
            &json!({"levels": [3, 3, 3, 3, 1]}),
        )
        .await?;
    assert_eq!(m3.body["state"], "final", "{}", m3.text);
    assert_eq!(m3.body["final_percent"], 94.0);
    let v1 = my_application(&a1).await?;
    assert_eq!(stage_status(&v1, 4).as_deref(), Some("passed"), "{v1}");

    // Stage 5: members score and vote; only the chair decides, after everyone has voted.
    let chair = Api::login(&server.base, COMMISSION.0, COMMISSION.1).await?;
    let member = Api::login(&server.base, COMMISSION2.0, COMMISSION2.1).await?;
    let list = member.get("/api/v1/interviews").await?;
    assert_eq!(list.body.as_array().map(Vec::len), Some(1), "{}", list.text);
    assert_eq!(list.body[0]["application_id"], app1.as_str());
    let early = chair
        .post(
            &format!("/api/v1/interviews/{app1}/decision"),
            &json!({"passed": true, "minutes": "Minutes No. 1"}),
        )
        .await?;
    assert_eq!(early.status, 409, "{}", early.text);
    for (api, score) in [(&chair, 88.0), (&member, 82.0)] {
        let r = api
            .post(
                &format!("/api/v1/interviews/{app1}/score"),
                &json!({"score": score, "vote": "for", "comment": "Clear vision"}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let bad_vote = member
        .post(
            &format!("/api/v1/interviews/{app1}/score"),
            &json!({"score": 50.0, "vote": "maybe"}),
        )
        .await?;
    assert_eq!(bad_vote.status, 422);
    let not_chair = member
        .post(
            &format!("/api/v1/interviews/{app1}/decision"),
            &json!({"passed": true, "minutes": "Minutes No. 1"}),
        )
        .await?;
    assert_eq!(not_chair.status, 403);
    // A commission member records interview scores only.
    assert_eq!(
        member
            .post(
                &format!("/api/v1/applications/{app1}/stages/3"),
                &json!({"kind": "status", "status": "failed", "reason": "x"})
            )
            .await?
            .status,
        403
    );
    let decided = chair
        .post(
            &format!("/api/v1/interviews/{app1}/decision"),
            &json!({"passed": true, "minutes": "Minutes No. 1: unanimously recommended"}),
        )
        .await?;
    assert_eq!(decided.status, 200, "{}", decided.text);
    assert_eq!(stage_status(&decided.body, 5).as_deref(), Some("passed"));
    assert_eq!(decided.body["stages"][4]["score"], 85.0);

    // The certificate: a number, public verification (no sign-in), PDF for its holder only.
    let v1 = my_application(&a1).await?;
    let number = v1["certificate"].as_str().unwrap_or_default().to_string();
    assert!(number.starts_with("LM-2026-"), "{v1}");
    let public = Api::new(&server.base);
    let check = public
        .get(&format!(
            "/api/v1/public/certificates/{}",
            number.to_lowercase()
        ))
        .await?;
    assert_eq!(check.status, 200, "{}", check.text);
    assert_eq!(check.body["full_name"], "Айгерим Сапарова");
    assert_eq!(check.body["category"], "руководитель-лидер");
    assert_eq!(check.body["state"], "valid");
    // Only name, category, dates and validity: no IIN, region or e-mail.
    assert!(!check.text.contains(&iin1) && !check.text.contains(APPLICANT.0));
    let unknown = public
        .get("/api/v1/public/certificates/LM-2026-2222-2222")
        .await?;
    assert_eq!(unknown.status, 404);
    let pdf = a1
        .http
        .get(server.url(&format!("/api/v1/certificates/{number}/pdf")))
        .bearer_auth(a1.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(pdf.status(), 200);
    let bytes = pdf.bytes().await?;
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&bytes).contains(&number));
    assert_eq!(
        a2.get(&format!("/api/v1/certificates/{number}/pdf"))
            .await?
            .status,
        404
    );

    // Appointment from the reserve, and who is still available.
    let reserve = admin.get("/api/v1/reserve?region=Turkestan").await?;
    assert_eq!(
        reserve.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        reserve.text
    );
    let not_reserve = admin
        .post(
            &format!("/api/v1/applications/{app2}/appointment"),
            &json!({"school": "School No. 3", "position": "director", "date": "2026-09-01"}),
        )
        .await?;
    assert_eq!(not_reserve.status, 409);
    let appointed = admin
        .post(
            &format!("/api/v1/applications/{app1}/appointment"),
            &json!({"school": "School No. 3, Turkestan", "position": "director", "date": "2026-09-01"}),
        )
        .await?;
    assert_eq!(appointed.status, 200, "{}", appointed.text);
    assert_eq!(appointed.body["appointed"], true);
    let available = admin.get("/api/v1/reserve?available=true").await?;
    assert_eq!(available.body.as_array().map(Vec::len), Some(0));
    let all = admin
        .get(&format!("/api/v1/reserve?campaign={CAMPAIGN}"))
        .await?;
    assert_eq!(all.body[0]["appointed_position"], "director");

    // Appeal: B appeals the failed test; staff see the answers and events, uphold it, and B
    // may go on to stage 2 through the normal path.
    let nothing = a2
        .post(
            &format!("/api/v1/applications/{app2}/appeals"),
            &json!({"stage": 2, "reason": "x"}),
        )
        .await?;
    assert_eq!(nothing.status, 409);
    let appeal = a2
        .post(
            &format!("/api/v1/applications/{app2}/appeals"),
            &json!({"stage": 1, "reason": "The connection dropped and my answers were not saved."}),
        )
        .await?;
    assert_eq!(appeal.status, 200, "{}", appeal.text);
    let appeal_id = appeal.body["id"].as_str().unwrap_or_default().to_string();
    let dup = a2
        .post(
            &format!("/api/v1/applications/{app2}/appeals"),
            &json!({"stage": 1, "reason": "again"}),
        )
        .await?;
    assert_eq!(dup.status, 409);
    assert_eq!(
        a1.get(&format!("/api/v1/appeals/{appeal_id}"))
            .await?
            .status,
        403
    );
    let evidence = admin.get(&format!("/api/v1/appeals/{appeal_id}")).await?;
    assert_eq!(evidence.status, 200, "{}", evidence.text);
    assert_eq!(evidence.body["answers"].as_array().map(Vec::len), Some(30));
    assert_eq!(evidence.body["score"]["passed"], false);
    assert!(
        evidence.body["events"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    assert!(
        evidence.body["log"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    );
    let no_status = admin
        .post(
            &format!("/api/v1/appeals/{appeal_id}/decision"),
            &json!({"upheld": true, "decision": "Technical failure confirmed"}),
        )
        .await?;
    assert_eq!(no_status.status, 422);
    let upheld = admin
        .post(
            &format!("/api/v1/appeals/{appeal_id}/decision"),
            &json!({"upheld": true, "decision": "Technical failure confirmed by the proctor log",
                    "status": "passed", "score": 72.0}),
        )
        .await?;
    assert_eq!(upheld.status, 200, "{}", upheld.text);
    assert_eq!(upheld.body["status"], "upheld");
    let twice = admin
        .post(
            &format!("/api/v1/appeals/{appeal_id}/decision"),
            &json!({"upheld": false, "decision": "no"}),
        )
        .await?;
    assert_eq!(twice.status, 409);
    let v2 = admin.get(&format!("/api/v1/applications/{app2}")).await?;
    assert_eq!(stage_status(&v2.body, 1).as_deref(), Some("passed"));
    assert_eq!(v2.body["stages"][0]["score"], 72.0);
    let now_open = admin
        .post(
            &format!("/api/v1/applications/{app2}/stages/2"),
            &json!({"kind": "training", "level": 1, "completed": false, "from": "2026-02-01", "to": "2026-02-10"}),
        )
        .await?;
    assert_eq!(now_open.status, 200, "{}", now_open.text);
    assert_eq!(stage_status(&now_open.body, 2).as_deref(), Some("failed"));

    // The appeal period: with 0 days, the training result can no longer be appealed.
    campaign(&admin, json!({"appeal_days": 0})).await?;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let late = a2
        .post(
            &format!("/api/v1/applications/{app2}/appeals"),
            &json!({"stage": 2, "reason": "I completed level 1"}),
        )
        .await?;
    assert_eq!(late.status, 409, "{}", late.text);
    assert!(late.text.contains("period"), "{}", late.text);

    // The funnel: 2 applications, 2 through the test (one on appeal), 1 to the reserve.
    let funnel = admin
        .get(&format!(
            "/api/v1/reports/funnel?campaign={CAMPAIGN}&by=region"
        ))
        .await?;
    assert_eq!(funnel.status, 200, "{}", funnel.text);
    assert_eq!(
        funnel.body["total"]["counts"],
        json!([2, 2, 1, 1, 1, 1, 1, 1])
    );
    assert_eq!(funnel.body["rows"].as_array().map(Vec::len), Some(2));
    let csv = admin
        .get_text(&format!(
            "/api/v1/reports/funnel.csv?campaign={CAMPAIGN}&by=region"
        ))
        .await?;
    // A byte-order mark first, so spreadsheets read Cyrillic right.
    let csv = csv.strip_prefix('\u{feff}').context("a byte-order mark")?;
    assert!(csv.starts_with("group,applications,test,training"), "{csv}");
    assert!(csv.contains("\nTurkestan,1,1,1,1,1,1,1,1,"), "{csv}");
    assert_eq!(a1.get("/api/v1/reports/funnel").await?.status, 403);

    // Revoking the certificate: administrators only, with a reason from the list (and a note
    // with "other"), once. The holder reads why; the public check says revoked; the holder
    // leaves the reserve and the PDF is no longer issued.
    let revoke = format!("/api/v1/certificates/{number}/revoke");
    let by_holder = a1
        .post(&revoke, &json!({"reason": "holder_request", "note": ""}))
        .await?;
    assert_eq!(by_holder.status, 403, "{}", by_holder.text);
    let unknown_reason = admin
        .post(&revoke, &json!({"reason": "dislike", "note": "x"}))
        .await?;
    assert_eq!(unknown_reason.status, 422, "{}", unknown_reason.text);
    let other_without_note = admin
        .post(&revoke, &json!({"reason": "other", "note": "  "}))
        .await?;
    assert_eq!(
        other_without_note.status, 422,
        "{}",
        other_without_note.text
    );
    assert_eq!(
        public
            .get(&format!("/api/v1/public/certificates/{number}"))
            .await?
            .body["state"],
        "valid",
        "a refused revocation changed nothing"
    );
    let revoked = admin
        .post(
            &revoke,
            &json!({"reason": "false_information", "note": "Order No. 12: the diploma was not hers"}),
        )
        .await?;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(revoked.body["revocation"]["reason"], "false_information");
    let twice = admin
        .post(&revoke, &json!({"reason": "issued_in_error", "note": ""}))
        .await?;
    assert_eq!(twice.status, 409, "{}", twice.text);
    let check = public
        .get(&format!("/api/v1/public/certificates/{number}"))
        .await?;
    assert_eq!(check.body["state"], "revoked", "{}", check.text);
    assert!(
        check.body["revoked_ms"].as_i64().is_some(),
        "{}",
        check.text
    );
    assert!(
        !check.text.contains("diploma"),
        "the note is not public: {}",
        check.text
    );
    let mine = my_application(&a1).await?;
    assert_eq!(mine["revocation"]["reason"], "false_information", "{mine}");
    assert_eq!(
        mine["revocation"]["note"],
        "Order No. 12: the diploma was not hers"
    );
    let pdf = a1
        .http
        .get(server.url(&format!("/api/v1/certificates/{number}/pdf")))
        .bearer_auth(a1.token.clone().unwrap_or_default())
        .send()
        .await?;
    assert_eq!(pdf.status(), 409);
    let reserve = admin.get("/api/v1/reserve?region=Turkestan").await?;
    assert_eq!(
        reserve.body.as_array().map(Vec::len),
        Some(0),
        "{}",
        reserve.text
    );
    // The funnel no longer counts them in the reserve, nor among those appointed from it.
    let funnel = admin
        .get(&format!("/api/v1/reports/funnel?campaign={CAMPAIGN}"))
        .await?;
    assert_eq!(
        funnel.body["total"]["counts"],
        json!([2, 2, 1, 1, 1, 1, 0, 0]),
        "{}",
        funnel.text
    );
    // Nor does the staff list show the number as a certificate.
    let list = admin
        .get(&format!("/api/v1/campaigns/{CAMPAIGN}/applications"))
        .await?;
    assert!(!list.text.contains(&number), "{}", list.text);
    Ok(())
}

#[tokio::test]
async fn a_candidate_goes_through_five_stages_to_a_certificate_on_sqlite() -> anyhow::Result<()> {
    five_stages(Db::Sqlite).await
}

#[tokio::test]
async fn a_candidate_goes_through_five_stages_to_a_certificate_on_postgres() -> anyhow::Result<()> {
    five_stages(Db::Postgres).await
}

async fn uploads_and_rank_cuts(db: Db) -> anyhow::Result<()> {
    let server = TestServer::start(db).await?;
    let admin = Api::login(&server.base, ADMIN.0, ADMIN.1).await?;
    campaign(
        &admin,
        json!({"rules": [{"stage": 3, "rule": {"cut": {"kind": "top", "n": 2}, "per_region": true,
               "ties": {"kind": "all_pass"}}}]}),
    )
    .await?;

    // Applications by CSV: every wrong line is named, and nothing is written.
    let mut lines = vec![
        "iin,full_name,region,district,school,position,teaching_years,management_years,email,phone"
            .to_string(),
    ];
    let mut iins = Vec::new();
    for i in 0..8u32 {
        let iin = valid_iin(&format!("8{}0101", i % 10), 3, i * 10);
        let region = if i < 5 { "Turkestan" } else { "Abai" };
        lines.push(format!(
            "{iin},Teacher {i} Testov,{region},Central,School {i},teacher,{},{},t{i}@school.kz,+77010000{i:03}",
            10 + i,
            i
        ));
        iins.push(iin);
    }
    let good = lines.join("\n");
    let mut bad_lines = lines.clone();
    bad_lines.push(format!(
        "{},Copy Cat,Abai,Central,School,teacher,3,1,c@c.kz,+77010000999",
        iins[0]
    ));
    bad_lines
        .push("123456789012,Bad Iin,Abai,Central,School,teacher,3,1,b@c.kz,+77010000998".into());
    bad_lines.push(format!(
        "{},Lost Person,Atlantis,Central,School,teacher,3,1,l@c.kz,+77010000997",
        valid_iin("700101", 3, 5)
    ));
    bad_lines.push(format!(
        "{},Few Years,Abai,Central,School,teacher,many,1,f@c.kz,+77010000996",
        valid_iin("710101", 3, 5)
    ));
    let preview = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/applications/import"),
            &json!({"csv": bad_lines.join("\n"), "commit": true}),
        )
        .await?;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.body["committed"], false);
    assert_eq!(preview.body["valid"], 8);
    assert_eq!(preview.body["errors"], 4);
    let errors: Vec<(u64, String)> = preview.body["lines"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|l| !l["error"].is_null())
                .map(|l| {
                    (
                        l["line"].as_u64().unwrap_or(0),
                        l["error"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(errors[0].0, 10);
    assert!(errors[0].1.contains("also on line 2"), "{errors:?}");
    assert!(errors[1].1.starts_with("IIN"), "{errors:?}");
    assert!(errors[2].1.contains("region"), "{errors:?}");
    assert!(errors[3].1.contains("teaching years"), "{errors:?}");
    let page = admin
        .get(&format!("/api/v1/campaigns/{CAMPAIGN}/applications"))
        .await?;
    assert_eq!(page.body["total"], 0);
    let done = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/applications/import"),
            &json!({"csv": good, "commit": true}),
        )
        .await?;
    assert_eq!(done.body["committed"], true, "{}", done.text);
    let page = admin
        .get(&format!(
            "/api/v1/campaigns/{CAMPAIGN}/applications?region=Abai"
        ))
        .await?;
    assert_eq!(page.body["total"], 3);
    let found = admin
        .get(&format!(
            "/api/v1/campaigns/{CAMPAIGN}/applications?q=t4%40school.kz"
        ))
        .await?;
    assert_eq!(found.body["total"], 1, "{}", found.text);

    // Stages 1 and 2 by CSV (a paper sitting, say), then the internship scores.
    let status_csv = |stage: u32| {
        let mut s = String::from("iin,status,score,reason\n");
        for iin in &iins {
            s.push_str(&format!(
                "{iin},passed,{},stage {stage} on paper\n",
                if stage == 1 { "80" } else { "" }
            ));
        }
        s
    };
    for stage in [1, 2] {
        let r = admin
            .post(
                &format!("/api/v1/campaigns/{CAMPAIGN}/stages/{stage}/import"),
                &json!({"csv": status_csv(stage), "commit": true}),
            )
            .await?;
        assert_eq!(r.body["committed"], true, "{}", r.text);
    }
    // Turkestan: 90, 80, 80, 70, 60; Abai: 50, 95, 40.
    let scores = [90, 80, 80, 70, 60, 50, 95, 40];
    let mut internship = String::from("iin,host_school,mentor,from,to,score,comment\n");
    for (iin, score) in iins.iter().zip(scores) {
        internship.push_str(&format!(
            "{iin},NIS,Mentor M.,2026-05-01,2026-05-20,{score},ok\n"
        ));
    }
    let preview = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/stages/3/import"),
            &json!({"csv": internship.clone(), "commit": false}),
        )
        .await?;
    assert_eq!(preview.body["committed"], false);
    assert_eq!(preview.body["valid"], 8);
    let stored = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/stages/3/import"),
            &json!({"csv": internship, "commit": true}),
        )
        .await?;
    assert_eq!(stored.body["committed"], true, "{}", stored.text);
    // A rank rule leaves everyone pending until the cut is applied.
    let pending = admin
        .get(&format!(
            "/api/v1/campaigns/{CAMPAIGN}/applications?stage=3&status=pending"
        ))
        .await?;
    assert_eq!(pending.body["total"], 8);

    // The top 2 of each region; the tie at 80 in Turkestan lets both pass.
    let rule =
        json!({"cut": {"kind": "top", "n": 2}, "per_region": true, "ties": {"kind": "all_pass"}});
    let preview = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/stages/3/select"),
            &json!({"rule": rule, "commit": false}),
        )
        .await?;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.body["passed"], 5);
    assert_eq!(preview.body["failed"], 3);
    let lines = preview.body["lines"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let turkestan = lines
        .iter()
        .find(|l| l["region"] == "Turkestan")
        .cloned()
        .unwrap_or_default();
    assert_eq!(turkestan["cut_score"], 80.0);
    assert_eq!(turkestan["tied_over"], 1);
    assert_eq!(
        admin
            .get(&format!("/api/v1/campaigns/{CAMPAIGN}/cuts"))
            .await?
            .body,
        json!([])
    );
    // Breaking ties by management experience instead: Teacher 2 (2 years) beats Teacher 1.
    let broken = json!({"cut": {"kind": "top", "n": 2}, "per_region": true,
                        "ties": {"kind": "break_by", "order": ["management_years"]}});
    let applied = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/stages/3/select"),
            &json!({"rule": broken, "commit": true}),
        )
        .await?;
    assert_eq!(applied.body["passed"], 4, "{}", applied.text);
    assert!(
        applied.body["rule_text"]
            .as_str()
            .unwrap_or("")
            .contains("management experience")
    );
    let cuts = admin
        .get(&format!("/api/v1/campaigns/{CAMPAIGN}/cuts"))
        .await?;
    assert_eq!(cuts.body.as_array().map(Vec::len), Some(1));
    assert_eq!(cuts.body[0]["applied_by"], "Программа «1000 лидеров»");
    let passed = admin
        .get(&format!(
            "/api/v1/campaigns/{CAMPAIGN}/applications?stage=3&status=passed"
        ))
        .await?;
    let mut names: Vec<String> = passed.body["rows"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["full_name"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        [
            "Teacher 0 Testov",
            "Teacher 2 Testov",
            "Teacher 5 Testov",
            "Teacher 6 Testov"
        ]
    );
    // The cut is in each candidate's log with the rule.
    let one = passed.body["rows"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let file = admin.get(&format!("/api/v1/applications/{one}")).await?;
    assert_eq!(stage_status(&file.body, 3).as_deref(), Some("passed"));

    // Rules are validated; unscored stages cannot be cut.
    let bad = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/stages/3/select"),
            &json!({"rule": {"cut": {"kind": "top_percent", "percent": 0.0}}}),
        )
        .await?;
    assert_eq!(bad.status, 422);
    let unscored = admin
        .post(
            &format!("/api/v1/campaigns/{CAMPAIGN}/stages/2/select"),
            &json!({"rule": {"cut": {"kind": "top", "n": 1}}}),
        )
        .await?;
    assert_eq!(unscored.status, 422);
    Ok(())
}

#[tokio::test]
async fn csv_uploads_report_each_line_and_rank_cuts_apply_quotas_on_sqlite() -> anyhow::Result<()> {
    uploads_and_rank_cuts(Db::Sqlite).await
}

#[tokio::test]
async fn csv_uploads_report_each_line_and_rank_cuts_apply_quotas_on_postgres() -> anyhow::Result<()>
{
    uploads_and_rank_cuts(Db::Postgres).await
}
