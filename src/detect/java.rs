//! Java services: a `pom.xml` (Maven) or `build.gradle(.kts)` (Gradle).
//!
//! [`detect`] checks the build file is well-formed, then scans it for Spring Boot (the parent
//! POM or the Gradle plugin, with its version), the Actuator starter and the Java version. The
//! code gives the `@SpringBootApplication` class and the routes; `application.properties` or
//! `application.yml` give `server.port`, the context path every route is served under
//! (`server.servlet.context-path=/petclinic/`: `/petclinic/actuator/health`) and the
//! `${VARIABLES}` the app reads.

use std::sync::LazyLock;

use regex::Regex;

use super::comments::Syntax;
use super::declared::Declared;
use super::model::{
    FileProblem, Framework, FrameworkKind, Language, Origin, PackageManager, Service, ServiceClass,
    ServiceKind, Sourced,
};
use super::routes::{self, Probes};
use super::service_set::Described;
use super::source::{ServiceDir, ServiceFile, find_in, find_port, is_env_example};
use super::xml;
use super::{argv, backend, env, ports, regex};

/// The default port of a Java web service (Spring Boot's).
const DEFAULT_PORT: u16 = 8080;

/// The jar the start command runs: the build's executable jar, copied under this name.
const JAR: &str = "app.jar";

/// What a build file says.
struct BuildFacts {
    manager: PackageManager,
    /// Spring Boot, with its version when the build file pins one.
    boot: Option<Sourced<Option<String>>>,
    /// Where the Actuator starter is declared.
    actuator: Option<Origin>,
    java: Option<Sourced<String>>,
    /// Where a web starter is declared (an HTTP server).
    web: Option<Origin>,
    /// Where a template engine starter is declared (pages for browsers).
    pages: Option<Origin>,
}

/// Detects the Java service in `dir`, whose build file is `manifest`.
pub(super) fn detect(
    dir: &ServiceDir,
    manifest: &str,
    declared: &Declared,
    problems: &mut Vec<FileProblem>,
) -> Result<Described, FileProblem> {
    let file = dir.read(manifest)?;
    let facts = if manifest == "pom.xml" {
        xml::check(&file)?;
        maven(&file.blanked(Syntax::Xml))
    } else {
        check_brackets(&file)?;
        gradle(&file.blanked(Syntax::CLike))
    };
    let sources = dir.sources(
        |rel| {
            (rel.starts_with("src/main/") && (rel.ends_with(".java") || rel.ends_with(".kt")))
                || is_spring_config(rel)
                || is_env_example(rel)
        },
        problems,
    );
    let configs: Vec<ServiceFile> = sources
        .iter()
        .filter(|f| is_spring_config(&f.rel))
        .cloned()
        .collect();

    let mut routes = routes::declared(&sources);
    if let Some(origin) = &facts.actuator {
        let base = find_in(&configs, &ACTUATOR_BASE).map_or("/actuator".to_string(), |b| b.value);
        for path in ["health", "health/readiness"] {
            routes.push(Sourced::new(routes::join(&base, path), origin.clone()));
        }
    }
    // Every servlet path, the actuator's included, is served under the context path.
    if let Some(context) = find_in(&configs, &CONTEXT_PATH) {
        for route in &mut routes {
            route.value = routes::join(&context.value, &route.value);
        }
    }
    let probes = Probes::pick(&routes);
    let code_port = find_port(&configs, &SERVER_PORT)
        .or_else(|| nested_port(&configs))
        .or_else(|| ports::find(&sources, Language::Java, &super::directory_label(dir), None));
    let port = declared.port().or(code_port).or_else(|| {
        facts
            .boot
            .as_ref()
            .map(|_| Sourced::convention(DEFAULT_PORT, "Spring Boot's default port"))
    });
    let framework = facts.boot.as_ref().map(|boot| {
        Sourced::new(
            Framework::declared(FrameworkKind::SpringBoot, boot.value.clone()),
            boot.origin.clone(),
        )
    });
    let boot_origin = facts
        .boot
        .as_ref()
        .map_or(Origin::Default, |b| b.origin.clone());
    let main = application_class(&sources).or_else(|| {
        sources.iter().find_map(|f| {
            let found = MAIN_METHOD.find(&f.text)?;
            Some(f.sourced(f.rel.clone(), found.start()))
        })
    });
    let web = facts.web.clone().or_else(|| find(&sources, &HTTP_SERVER));
    let grpc = find(&sources, &GRPC_SERVER);
    let consumer = find(&sources, &CONSUMER);
    let kind = match (&web, &grpc, &consumer) {
        (None, Some(origin), _) => Sourced::new(ServiceKind::Grpc, origin.clone()),
        (None, None, Some(origin)) => Sourced::new(ServiceKind::Worker, origin.clone()),
        _ => Sourced::default_value(ServiceKind::Http),
    };
    let class = match &facts.pages {
        Some(origin) => Sourced::new(ServiceClass::Frontend, origin.clone()),
        None => backend(framework.as_ref()),
    };
    let runs = main
        .as_ref()
        .map(|m| m.origin.clone())
        .or_else(|| facts.boot.as_ref().map(|b| b.origin.clone()))
        .ok_or_else(|| "no main class and no Spring Boot application".to_string());

    let service = Service {
        kind,
        name: String::new(),
        path: dir.path.clone(),
        manifest: manifest.to_string(),
        class,
        language: Sourced::new(Language::Java, dir.file_origin(manifest)),
        language_version: facts.java,
        framework,
        package_manager: Sourced::new(facts.manager, dir.file_origin(manifest)),
        lockfile: dir.present("gradle.lockfile"),
        start_command: Sourced::new(argv(&["java", "-jar", JAR]), boot_origin),
        prestart: Vec::new(),
        build_command: Some(Sourced::new(
            build_command(dir, facts.manager, facts.boot.is_some()),
            dir.file_origin(manifest),
        )),
        entrypoint: main,
        port,
        health_path: probes.health,
        readiness_path: probes.readiness,
        env: env::collect(&sources),
        data_dirs: Vec::new(),
        depends_on: Vec::new(),
        inputs: Default::default(),
        undetermined: Vec::new(),
    };
    Ok(Described::program(service, runs))
}

static MAIN_METHOD: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\bpublic\s+static\s+void\s+main\s*\(|(?m)^\s*fun\s+main\s*\("));
static HTTP_SERVER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\bHttpServer\.create\(|\bembeddedServer\(|\bJavalin\.create\(|\bVertx\b")
});
static GRPC_SERVER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\b(?:Netty)?ServerBuilder\s*\.\s*forPort\(|\bGrpc\.newServerBuilderForPort\(")
});
static CONSUMER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\bKafkaConsumer\b|@KafkaListener\b|@RabbitListener\b|@JmsListener\b|@SqsListener\b")
});

/// Where `re` first matches in the files.
fn find(files: &[ServiceFile], re: &Regex) -> Option<Origin> {
    files
        .iter()
        .find_map(|file| Some(file.origin(re.find(&file.text)?.start())))
}

/// `src/main/resources/application.properties`, `application-prod.yml` and the like.
fn is_spring_config(rel: &str) -> bool {
    rel.strip_prefix("src/main/resources/").is_some_and(|name| {
        name.starts_with("application")
            && (name.ends_with(".properties") || name.ends_with(".yml") || name.ends_with(".yaml"))
    })
}

static POM_PARENT: LazyLock<Regex> = LazyLock::new(|| regex(r"(?s)<parent>(.*?)</parent>"));
static POM_BOOT_PARENT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"<artifactId>\s*(spring-boot-starter-parent)\s*</artifactId>"));
static POM_VERSION: LazyLock<Regex> =
    LazyLock::new(|| regex(r"<version>\s*([^<\s]+)\s*</version>"));
static POM_BOOT_STARTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"<artifactId>\s*(spring-boot-starter(?:-[\w-]+)?|spring-boot-maven-plugin)\s*</artifactId>",
    )
});
static POM_ACTUATOR: LazyLock<Regex> =
    LazyLock::new(|| regex(r"<artifactId>\s*(spring-boot-starter-actuator)\s*</artifactId>"));
static POM_JAVA: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"<(?:java\.version|maven\.compiler\.release|maven\.compiler\.source)>\s*([^<\s]+)\s*<")
});

static WEB_STARTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(spring-boot-starter-(?:web|webflux|jersey)|spring-boot-starter-actuator|ktor-server|micronaut-http-server|quarkus-resteasy|dgs-framework)",
    )
});
static TEMPLATE_STARTER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(spring-boot-starter-(?:thymeleaf|freemarker|mustache|groovy-templates)|tomcat-embed-jasper|jakarta\.servlet\.jsp)",
    )
});

/// The facts of a `pom.xml`.
fn maven(file: &ServiceFile) -> BuildFacts {
    let parent_boot = POM_PARENT.captures(&file.text).and_then(|caps| {
        let block = caps.get(1)?;
        let artifact = POM_BOOT_PARENT.captures(block.as_str())?.get(1)?;
        let version = POM_VERSION
            .captures(block.as_str())
            .and_then(|v| v.get(1))
            .map(|v| v.as_str().to_string());
        Some(file.sourced(version, block.start() + artifact.start()))
    });
    let boot = parent_boot.or_else(|| {
        let starter = file.find(&POM_BOOT_STARTER)?.get(1)?;
        Some(file.sourced(None, starter.start()))
    });
    BuildFacts {
        manager: PackageManager::Maven,
        boot,
        actuator: file.find_sourced(&POM_ACTUATOR).map(|a| a.origin),
        java: file.find_sourced(&POM_JAVA),
        web: file.find_sourced(&WEB_STARTER).map(|w| w.origin),
        pages: file.find_sourced(&TEMPLATE_STARTER).map(|t| t.origin),
    }
}

static GRADLE_BOOT_PLUGIN: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"id\s*\(?\s*["']org\.springframework\.boot["']\s*\)?\s*version\s*["']([^"']+)["']"#)
});
static GRADLE_BOOT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(org\.springframework\.boot:spring-boot-starter|apply\s+plugin:\s*["']org\.springframework\.boot["']|id\s*\(?\s*["']org\.springframework\.boot["'])"#,
    )
});
static GRADLE_ACTUATOR: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(spring-boot-starter-actuator)"));
static GRADLE_JAVA: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?:JavaLanguageVersion\.of\(\s*(\d+)\s*\)|jvmToolchain\(\s*(\d+)\s*\)|sourceCompatibility\s*=\s*(?:JavaVersion\.VERSION_)?["']?(\d+(?:\.\d+)?))"#,
    )
});

/// The facts of a `build.gradle` or `build.gradle.kts`.
fn gradle(file: &ServiceFile) -> BuildFacts {
    let boot = file
        .find_sourced(&GRADLE_BOOT_PLUGIN)
        .map(|version| Sourced::new(Some(version.value), version.origin))
        .or_else(|| {
            let found = file.find(&GRADLE_BOOT)?.get(1)?;
            Some(file.sourced(None, found.start()))
        });
    BuildFacts {
        manager: PackageManager::Gradle,
        boot,
        actuator: file.find_sourced(&GRADLE_ACTUATOR).map(|a| a.origin),
        java: file.find_sourced(&GRADLE_JAVA),
        web: file.find_sourced(&WEB_STARTER).map(|w| w.origin),
        pages: file.find_sourced(&TEMPLATE_STARTER).map(|t| t.origin),
    }
}

/// Checks that a Gradle script's brackets balance, outside strings and comments: the one fault
/// line scanning could otherwise read past.
fn check_brackets(file: &ServiceFile) -> Result<(), FileProblem> {
    let text = file.text.as_str();
    let fail = |offset: usize, message: String| {
        let (line, column) = crate::line_index::line_column(text, offset);
        Err(FileProblem::at(&file.path, line, column, message))
    };
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '/' if chars.peek().is_some_and(|(_, n)| *n == '/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().is_some_and(|(_, n)| *n == '*') => {
                let mut previous = ' ';
                for (_, n) in chars.by_ref() {
                    if previous == '*' && n == '/' {
                        break;
                    }
                    previous = n;
                }
            }
            '"' | '\'' => {
                let mut escaped = false;
                for (_, n) in chars.by_ref() {
                    match n {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        _ if n == c => break,
                        _ => {}
                    }
                }
            }
            '{' | '(' | '[' => open.push((c, at)),
            '}' | ')' | ']' => {
                let expected = match c {
                    '}' => '{',
                    ')' => '(',
                    _ => '[',
                };
                match open.pop() {
                    Some((opened, _)) if opened == expected => {}
                    _ => return fail(at, format!("unbalanced `{c}`")),
                }
            }
            _ => {}
        }
    }
    match open.pop() {
        Some((c, at)) => fail(at, format!("`{c}` is never closed")),
        None => Ok(()),
    }
}

/// The command that builds the executable jar, with the project's wrapper when it has one.
fn build_command(dir: &ServiceDir, manager: PackageManager, boot: bool) -> Vec<String> {
    if manager == PackageManager::Maven {
        let mvn = if dir.has("mvnw") { "./mvnw" } else { "mvn" };
        argv(&[mvn, "-B", "package", "-DskipTests"])
    } else {
        let gradle = if dir.has("gradlew") {
            "./gradlew"
        } else {
            "gradle"
        };
        if boot {
            argv(&[gradle, "bootJar"])
        } else {
            argv(&[gradle, "build", "-x", "test"])
        }
    }
}

static SPRING_APPLICATION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"@SpringBootApplication\b(?:\([^)]*\))?\s*(?:@\w+(?:\([^)]*\))?\s*)*(?:public\s+)?(?:open\s+)?class\s+(\w+)",
    )
});
static PACKAGE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?m)^\s*package\s+([\w.]+)"));

/// The `@SpringBootApplication` class, fully qualified.
fn application_class(sources: &[ServiceFile]) -> Option<Sourced<String>> {
    sources.iter().find_map(|file| {
        let caps = file.find(&SPRING_APPLICATION)?;
        let annotation = caps.get(0)?;
        let class = caps.get(1)?.as_str();
        let name = match file.find(&PACKAGE).and_then(|p| p.get(1)) {
            Some(package) => format!("{}.{class}", package.as_str()),
            None => class.to_string(),
        };
        Some(file.sourced(name, annotation.start()))
    })
}

static SERVER_PORT: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"(?m)^\s*server\.port\s*[=:]\s*["']?(?:\$\{[A-Za-z_][\w.]*:)?(\d{2,5})"#)
});
static ACTUATOR_BASE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^\s*management\.endpoints\.web\.base-path\s*[=:]\s*(/\S*)"));
static CONTEXT_PATH: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?m)^\s*(?:server\.servlet\.context-path|spring\.webflux\.base-path)\s*[=:]\s*["']?(/[^\s"']*)"#,
    )
});
static NESTED_PORT: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"^\s+port\s*:\s*["']?(?:\$\{[A-Za-z_][\w.]*:)?(\d{2,5})"#));

/// `port:` under a top-level `server:` in `application.yml`.
fn nested_port(configs: &[ServiceFile]) -> Option<Sourced<u16>> {
    configs.iter().find_map(|file| {
        let mut in_server = false;
        let mut offset = 0;
        for line in file.text.split_inclusive('\n') {
            let at = offset;
            offset += line.len();
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if !line.starts_with([' ', '\t']) {
                in_server = line.trim_end() == "server:";
                continue;
            }
            if let Some(port) = NESTED_PORT
                .captures(line)
                .and_then(|c| c.get(1))
                .filter(|_| in_server)
            {
                let value: u16 = port.as_str().parse().ok()?;
                return Some(file.sourced(value, at));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::source::in_memory as file;

    #[test]
    fn brackets_must_balance() {
        let good = "plugins {\n  id 'java' // { not counted\n}\ndef s = \"}\"\n/* ( */\n";
        assert!(check_brackets(&file("build.gradle", good)).is_ok());
        let bad = "dependencies {\n  implementation('x'\n}\n";
        let problem = check_brackets(&file("build.gradle", bad)).unwrap_err();
        assert_eq!((problem.line, problem.column), (Some(3), Some(1)));
        let open = "plugins {\n  id 'java'\n";
        let problem = check_brackets(&file("build.gradle", open)).unwrap_err();
        assert_eq!(problem.line, Some(1));
    }

    #[test]
    fn ports_in_spring_config() {
        let props = file(
            "src/main/resources/application.properties",
            "spring.application.name=x\nserver.port=${PORT:8081}\n",
        );
        assert_eq!(find_port(&[props], &SERVER_PORT).unwrap().value, 8081);
        let yml = file(
            "src/main/resources/application.yml",
            "spring:\n  port: 1\nserver:\n  # note\n  port: 9000\n",
        );
        let port = nested_port(&[yml]).unwrap();
        assert_eq!(
            (port.value, port.origin.to_string()),
            (9000, "src/main/resources/application.yml:5".into())
        );
    }
}
