//! The drawing pad a person signs a custody hand-off on: pointer events
//! (mouse, pen or finger) draw on a canvas; the parent reads the drawing as
//! a PNG `data:` URL when the form is sent.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

pub const PAD_WIDTH: u32 = 400;
pub const PAD_HEIGHT: u32 = 150;

#[derive(Properties, PartialEq)]
pub struct SignaturePadProps {
    /// The canvas, for [`drawing`].
    pub canvas: NodeRef,
    /// Told whether anything is drawn (after each stroke and on Clear).
    pub oninked: Callback<bool>,
}

#[derive(Default)]
struct Pen {
    down: bool,
    last: Option<(f64, f64)>,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into::<CanvasRenderingContext2d>().ok()
}

/// The point of a pointer event in canvas pixels (the canvas may be scaled by CSS).
fn point(canvas: &HtmlCanvasElement, e: &PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let sx = if rect.width() > 0.0 { f64::from(canvas.width()) / rect.width() } else { 1.0 };
    let sy = if rect.height() > 0.0 { f64::from(canvas.height()) / rect.height() } else { 1.0 };
    ((f64::from(e.client_x()) - rect.left()) * sx, (f64::from(e.client_y()) - rect.top()) * sy)
}

/// The drawing as a PNG `data:` URL.
pub fn drawing(canvas: &NodeRef) -> Option<String> {
    canvas.cast::<HtmlCanvasElement>()?.to_data_url().ok()
}

fn clear(canvas: &HtmlCanvasElement) {
    if let Some(ctx) = context(canvas) {
        // White, not transparent: the PNG reads well on any background.
        ctx.set_fill_style_str("#ffffff");
        ctx.fill_rect(0.0, 0.0, f64::from(canvas.width()), f64::from(canvas.height()));
    }
}

#[component]
pub fn SignaturePad(props: &SignaturePadProps) -> Html {
    let pen = use_mut_ref(Pen::default);
    {
        let canvas = props.canvas.clone();
        use_effect_with((), move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                clear(&c);
            }
        });
    }
    let down = {
        let (canvas, pen) = (props.canvas.clone(), pen.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            e.prevent_default();
            let _ = c.set_pointer_capture(e.pointer_id());
            let p = point(&c, &e);
            let mut pen = pen.borrow_mut();
            pen.down = true;
            pen.last = Some(p);
        })
    };
    let stroke = |pen: &Rc<RefCell<Pen>>, c: &HtmlCanvasElement, to: (f64, f64)| -> bool {
        let mut pen = pen.borrow_mut();
        let (Some(from), true) = (pen.last, pen.down) else { return false };
        if let Some(ctx) = context(c) {
            ctx.set_stroke_style_str("#111827");
            ctx.set_line_width(2.5);
            ctx.set_line_cap("round");
            ctx.begin_path();
            ctx.move_to(from.0, from.1);
            ctx.line_to(to.0, to.1);
            ctx.stroke();
        }
        pen.last = Some(to);
        true
    };
    let inked = use_state(|| false);
    let moved = {
        let (canvas, pen, inked, oninked) = (props.canvas.clone(), pen.clone(), inked.clone(), props.oninked.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            if stroke(&pen, &c, point(&c, &e)) && !*inked {
                inked.set(true);
                oninked.emit(true);
            }
        })
    };
    let up = {
        let pen = pen.clone();
        Callback::from(move |_: PointerEvent| {
            let mut pen = pen.borrow_mut();
            pen.down = false;
            pen.last = None;
        })
    };
    let onclear = {
        let (canvas, inked, oninked) = (props.canvas.clone(), inked.clone(), props.oninked.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                clear(&c);
            }
            inked.set(false);
            oninked.emit(false);
        })
    };
    html! {
        <div class="signature-pad">
            <canvas ref={props.canvas.clone()} width={PAD_WIDTH.to_string()} height={PAD_HEIGHT.to_string()}
                    class="signature-canvas" data-testid="signature-pad"
                    role="img" aria-label="Signature pad: sign with the mouse, a pen or a finger"
                    style="touch-action: none; border: 1px solid #9ca3af; border-radius: 4px; background: #fff; max-width: 100%;"
                    onpointerdown={down} onpointermove={moved} onpointerup={up.clone()} onpointercancel={up} />
            <div>
                <button type="button" class="btn btn-small" onclick={onclear}>{ "Clear" }</button>
                <span class="muted small">{ if *inked { " Signed." } else { " Sign above." } }</span>
            </div>
        </div>
    }
}
