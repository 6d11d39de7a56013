//! Whether a server serves pages to browsers, which makes it a front end: reachable from outside
//! the cluster (NodePort, front-end resources) rather than an internal API.
//!
//! The rule: a service is a front end when it serves a user interface. Node decides by its UI
//! framework (Next.js, a single-page app toolkit); every server also counts as one when its code
//! renders pages from templates (Flask's `render_template`, Django's `render(request, ...)` and
//! template views, FastAPI's `Jinja2Templates`, Express's `res.render` or a view engine, Go's
//! `html/template` parsing files or gin's `LoadHTMLGlob`, Rust's askama or Tera, Spring's
//! Thymeleaf or FreeMarker starters) or serves a built user interface (FastAPI's
//! `app.frontend(...)` or `StaticFiles(html=True)`, Express serving `dist/` or `build/`, a Go
//! file server). A server that only answers API calls is a back end.

use std::sync::LazyLock;

use regex::Regex;

use super::model::Origin;
use super::regex;
use super::source::{FileKind, ServiceFile};

static PYTHON: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\b(?:render_template|render_to_response|TemplateResponse|Jinja2Templates)\s*\(|\brender\(\s*request\b|\b(?:TemplateView|ListView|DetailView)\b|\bapp\.frontend\(|StaticFiles\([^)]*\bhtml\s*=\s*True",
    )
});
static JAVASCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"\bres\.render\(|\.set\(\s*["']view engine["']|\.engine\(\s*["'](?:hbs|handlebars|pug|ejs|html|njk)["']|(?:express\.static|expressStaticGzip|serveStatic)\(\s*(?:[\w.]+\.join\([^)]*|__dirname\s*\+\s*)?["'`][^"'`]*\b(?:dist|build|public|client|views)\b|\.sendFile\([^;]*\.html\b"#,
    )
});
static GO: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\.(?:ParseGlob|ParseFS|ParseFiles)\(|\bLoadHTML(?:Glob|Files)\(|\bhttp\.FileServer(?:FS)?\(|\.StaticFS\(",
    )
});
static RUST: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"#\[template\(|\bTera::new\(|\bactix_files::Files\b|\bServeDir::new\(")
});

/// Where a service's code shows it serves pages, if it does.
pub(super) fn serves_pages(files: &[ServiceFile]) -> Option<Origin> {
    files.iter().find_map(|file| {
        let re: &Regex = match file.kind() {
            FileKind::Python => &PYTHON,
            FileKind::JavaScript => &JAVASCRIPT,
            FileKind::Go => &GO,
            FileKind::Rust => &RUST,
            _ => return None,
        };
        let found = re.find(&file.text)?;
        Some(file.origin(found.start()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory as file;

    #[test]
    fn pages_are_told_by_the_code() {
        let yes = [
            file("app.py", "return render_template('index.html')"),
            file("views.py", "return render(request, 'home.html')"),
            file("server.js", "app.set('view engine', 'pug');"),
            file(
                "app.js",
                "app.use(express.static(path.join(__dirname, 'dist')));",
            ),
            file(
                "handlers.go",
                "templates := template.Must(template.New(\"\").ParseGlob(\"templates/*.html\"))",
            ),
            file("main.rs", "#[template(path = \"index.html\")]"),
        ];
        for f in yes {
            assert!(
                serves_pages(std::slice::from_ref(&f)).is_some(),
                "{}",
                f.text
            );
        }
        let no = [
            file("api.py", "@app.get('/items')\ndef items(): return []"),
            file(
                "email.py",
                "body = env.get_template('confirmation.html').render(order=o)",
            ),
            file(
                "server.js",
                "app.use('/upload', express.static(uploadDir));",
            ),
        ];
        for f in no {
            assert!(
                serves_pages(std::slice::from_ref(&f)).is_none(),
                "{}",
                f.text
            );
        }
    }
}
