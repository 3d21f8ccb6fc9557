//! Qabilet's user interface: Leptos 0.8, rendered on the server and hydrated in the browser.

#![recursion_limit = "256"]

// `load_locales!` reads `[package.metadata.leptos-i18n]` and the JSON files in `locales/`. It is
// marked deprecated in favour of a build script, whose generator pulls in the whole ICU data
// exporter; the macro produces the same code at a fraction of the build time.
#[allow(deprecated)]
mod generated_i18n {
    leptos_i18n::load_locales!();
}
pub use generated_i18n::i18n;

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "hydrate")]
pub mod camera;
pub mod error;
pub mod model;
pub mod nav;
pub mod outbox;
mod pages;

use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
};

/// Name of the site bundle: `/pkg/qabilet.js`, `/pkg/qabilet_bg.wasm`, `/pkg/qabilet.css`.
pub const OUTPUT_NAME: &str = "qabilet";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="stylesheet" href="/pkg/qabilet.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let display = pages::provide_display().0;
    pages::provide_user();
    view! {
        <I18nContextProvider>
            <Title text="Qabilet" />
            <leptos_meta::Html {..} class=move || pages::display_classes(display.get()) />
            <Router>
                <a class="skip" href="#main">{move || t_string!(use_i18n(), skip_to_content)}</a>
                <pages::Header />
                <main class="page" id="main" tabindex="-1">
                    <Routes fallback=pages::NotFound>
                    // Every page behind the gate (the page table decides who may see it); a
                    // layout route, so the router still lists every route statically.
                    <ParentRoute path=() view=pages::Gate>
                        <Route path=StaticSegment("") view=pages::Home />
                        <Route path=StaticSegment("login") view=pages::login::LoginPage />
                        <Route path=StaticSegment("dashboard") view=pages::dashboard::DashboardPage />
                        <Route path=StaticSegment("check") view=pages::check::CheckPage />
                        <Route path=(StaticSegment("test"), ParamSegment("id")) view=pages::test::TestPage />
                        <Route path=(StaticSegment("result"), ParamSegment("id")) view=pages::result::ResultPage />
                        <Route path=StaticSegment("bank") view=pages::bank::BankListPage />
                        <Route path=(StaticSegment("bank"), StaticSegment("new")) view=pages::bank::BankNewPage />
                        <Route path=(StaticSegment("bank"), StaticSegment("import")) view=pages::bank::BankImportPage />
                        <Route path=(StaticSegment("bank"), StaticSegment("competencies")) view=pages::bank::BankTaxonomyPage />
                        <Route path=(StaticSegment("bank"), StaticSegment("item"), ParamSegment("id")) view=pages::bank::BankItemPage />
                        <Route path=StaticSegment("blueprints") view=pages::blueprints::BlueprintListPage />
                        <Route path=StaticSegment("proctor") view=pages::proctor::SittingsPage />
                        <Route path=(StaticSegment("proctor"), ParamSegment("id")) view=pages::proctor::MonitorPage />
                        <Route path=(StaticSegment("blueprints"), ParamSegment("id")) view=pages::blueprints::BlueprintPage />
                        <Route path=StaticSegment("apply") view=pages::pipeline::ApplyPage />
                        <Route path=StaticSegment("register") view=pages::register::RegisterPage />
                        <Route path=StaticSegment("account") view=pages::account::AccountPage />
                        <Route path=(StaticSegment("analysis"), ParamSegment("id")) view=pages::analysis::AnalysisPage />
                        <Route path=StaticSegment("standards") view=pages::standards::StandardsPage />
                        <Route path=(StaticSegment("standards"), ParamSegment("id")) view=pages::standards::StandardPage />
                        <Route path=StaticSegment("pipeline") view=pages::pipeline::CampaignsPage />
                        <Route path=(StaticSegment("pipeline"), ParamSegment("id")) view=pages::pipeline::CampaignPage />
                        <Route path=(StaticSegment("candidate"), ParamSegment("id")) view=pages::pipeline::CandidatePage />
                        <Route path=(StaticSegment("appeal"), ParamSegment("id")) view=pages::pipeline::AppealPage />
                        <Route path=StaticSegment("reserve") view=pages::pipeline::ReservePage />
                        <Route path=StaticSegment("reports") view=pages::pipeline::ReportsPage />
                        <Route path=StaticSegment("marking") view=pages::pipeline::MarkingPage />
                        <Route path=StaticSegment("interviews") view=pages::pipeline::InterviewsPage />
                        <Route path=StaticSegment("verify") view=pages::verify::VerifyPage />
                        <Route path=(StaticSegment("verify"), ParamSegment("number")) view=pages::verify::VerifyPage />
                    </ParentRoute>
                    </Routes>
                </main>
            </Router>
        </I18nContextProvider>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // A marker for people and tests: the page is interactive from here on.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
