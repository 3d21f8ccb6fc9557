//! The camera, where a sitting needs it: a low-resolution picture (320×240 JPEG) of the
//! applicant at the start of a remote sitting and, if asked, now and then during the test. The
//! browser asks the person first; nothing is recorded but the pictures sent. Browser only.

use crate::error::{AppError, ErrorCode};
use crate::model::PhotoRef;

fn failed(m: &str) -> AppError {
    AppError::new(ErrorCode::Invalid, m.to_string())
}

/// Whether this document may use the camera: the Permissions-Policy of the address the page
/// was *loaded* from is in force, so a page reached by a link inside the app may not.
/// (`document.featurePolicy`, where the browser has it; otherwise assumed.)
pub fn allowed_here() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Ok(policy) = js_sys::Reflect::get(&document, &"featurePolicy".into()) else {
        return true;
    };
    if policy.is_undefined() || policy.is_null() {
        return true;
    }
    let Ok(allows) = js_sys::Reflect::get(&policy, &"allowsFeature".into()) else {
        return true;
    };
    let Ok(allows) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(allows) else {
        return true;
    };
    allows
        .call1(&policy, &"camera".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}

/// Opens the camera into the `<video id=video_id>` element; returns the stream.
pub async fn open(video_id: &str) -> Result<web_sys::MediaStream, AppError> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window().ok_or_else(|| failed("no window"))?;
    let devices = window
        .navigator()
        .media_devices()
        .map_err(|_| failed("this browser gives no camera"))?;
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_video(&wasm_bindgen::JsValue::TRUE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| failed("the camera cannot be asked for here"))?;
    let stream: web_sys::MediaStream = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| {
            let name = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.name()))
                .unwrap_or_else(|| "NotAllowedError".into());
            failed(&name)
        })?
        .dyn_into()
        .map_err(|_| failed("no picture"))?;
    if let Some(video) = window
        .document()
        .and_then(|d| d.get_element_by_id(video_id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlVideoElement>().ok())
    {
        video.set_muted(true);
        video.set_src_object(Some(&stream));
        if let Ok(p) = video.play() {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        }
    }
    Ok(stream)
}

/// Whether the stream still gives pictures (a camera unplugged, or taken by another program,
/// ends its track).
pub fn live(stream: &web_sys::MediaStream) -> bool {
    use wasm_bindgen::JsCast;
    stream.get_video_tracks().iter().any(|t| {
        t.dyn_into::<web_sys::MediaStreamTrack>()
            .is_ok_and(|t| t.ready_state() == web_sys::MediaStreamTrackState::Live)
    })
}

/// Stops the camera.
pub fn stop(stream: &web_sys::MediaStream) {
    use wasm_bindgen::JsCast;
    for t in stream.get_tracks().iter() {
        if let Ok(t) = t.dyn_into::<web_sys::MediaStreamTrack>() {
            t.stop();
        }
    }
}

/// The current frame of the `<video>` as JPEG bytes, 320×240.
pub fn capture(video_id: &str) -> Option<Vec<u8>> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()?.document()?;
    let video: web_sys::HtmlVideoElement = document.get_element_by_id(video_id)?.dyn_into().ok()?;
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(320);
    canvas.set_height(240);
    let context: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context
        .draw_image_with_html_video_element_and_dw_and_dh(&video, 0.0, 0.0, 320.0, 240.0)
        .ok()?;
    let url = canvas
        .to_data_url_with_type_and_encoder_options("image/jpeg", &wasm_bindgen::JsValue::from(0.7))
        .ok()?;
    let encoded = url.split_once(',')?.1;
    let binary = web_sys::window()?.atob(encoded).ok()?;
    // `atob` gives one character per byte.
    Some(binary.chars().map(|c| c as u32 as u8).collect())
}

/// Sends a picture to `url` (the applicant's start picture or a snapshot).
pub async fn upload(url: &str, bytes: &[u8]) -> Result<PhotoRef, AppError> {
    let body = js_sys::Uint8Array::from(bytes);
    let text = crate::api::post_to_api(url, &body.into(), "image/jpeg").await?;
    serde_json::from_str(&text).map_err(|e| failed(&e.to_string()))
}

/// Sends a file the person chose (the photo with the application).
pub async fn upload_file(url: &str, file: &web_sys::File) -> Result<PhotoRef, AppError> {
    let text = crate::api::post_to_api(url, file.as_ref(), &file.type_()).await?;
    serde_json::from_str(&text).map_err(|e| failed(&e.to_string()))
}

/// The file chosen in the `<input type=file>` an event came from.
pub fn chosen_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
}
