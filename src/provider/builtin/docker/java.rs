//! Java services (Spring Boot and plain Java; Maven or Gradle): the jar is built on a JDK image
//! with the build tool, and runs on a JRE image of the same release.
//!
//! - Maven: `pom.xml` first and `mvn dependency:go-offline`, a layer rebuilt only when the POM
//!   changes and allowed to fall short (it resolves reporting plugins too, which `package`
//!   never runs); then the sources and `mvn package` (tests skipped: they ran in CI).
//! - Gradle: the project's own wrapper (`./gradlew`) on `eclipse-temurin:<release>-jdk`, else
//!   `gradle` of the `gradle:8-jdk<release>` image; `bootJar` for Spring Boot, `build` otherwise.
//!
//! The executable jar becomes `/app/app.jar` (a Spring Boot jar carries its dependencies; the
//! dependencies of a plain Maven project go to `/app/lib/`, where a manifest `Class-Path` of
//! `lib/` finds them). The JVM sizes its heap from the container's memory limit
//! (`-XX:MaxRAMPercentage`). The JRE image has bash, which checks health (see [`super::health`]).

use super::file::{Copy, Stage, Step};
use super::ui_build::UiBuilds;
use super::{Context, assemble, health, runtime_stage};
use crate::detect::{FrameworkKind, PackageManager};
use crate::provider::builtin::facts::framework;

/// The heap's share of the container's memory limit.
const HEAP_PERCENT: &str = "-XX:MaxRAMPercentage=75";

/// The Java Dockerfile.
pub(super) fn build(cx: &Context<'_>) -> super::file::Dockerfile {
    let service = cx.facts.service;
    let boot = framework(service) == Some(FrameworkKind::SpringBoot);
    let maven = service.package_manager.value != PackageManager::Gradle;
    let (build_image, runtime_image) = (&cx.facts.base.build, &cx.facts.base.runtime);
    let mut builder = Stage::new(
        "builder",
        build_image,
        if maven {
            "Build: dependencies and plugins first (a layer rebuilt only when pom.xml changes), then\nthe sources and the jar."
        } else {
            "Build: the sources and the jar, with the project's Gradle build."
        },
    )
    .step(Step::workdir("/src"));
    // Build output other than the executable jar: sources, javadoc, Gradle's plain jar.
    let find_jar = |dir: &str| {
        format!(
            "find {dir} -maxdepth 1 -name '*.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' ! -name '*-plain.jar' -exec cp {{}} /out/app.jar \\;"
        )
    };
    let mut lib = false;
    let mut ui = UiBuilds::of(cx);
    if maven {
        builder = builder
            .steps([
                Step::Copy(Copy::context(&[&cx.src("pom.xml")], "./")),
                Step::comment(
                    "A cache of the dependencies, rebuilt only when the POM changes. go-offline also resolves\nthe reporting plugins, which `package` never runs: what it cannot fetch is left to the\nbuild, which fails on what it does need.",
                ),
                Step::run(&["mvn -B -q dependency:go-offline || true"]),
                Step::Copy(Copy::context(&[&cx.src_dir()], "./")),
            ])
            .steps(ui.copies(cx, None))
            .steps(ui.checks());
        let mut commands = vec![
            "mkdir -p /out".to_string(),
            "mvn -B -q package -DskipTests".to_string(),
            find_jar("target"),
        ];
        if !boot {
            lib = true;
            commands.push(
                "mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/out/lib"
                    .to_string(),
            );
        }
        builder = builder.step(Step::Run(commands));
    } else {
        let wrapper = build_image.contains("eclipse-temurin");
        let gradle = if wrapper { "./gradlew" } else { "gradle" };
        let task = if boot { "bootJar" } else { "build -x test" };
        let mut commands = vec!["mkdir -p /out".to_string()];
        if wrapper {
            commands.push("chmod +x gradlew".to_string());
        }
        commands.push(format!("{gradle} --no-daemon {task}"));
        commands.push(find_jar("build/libs"));
        builder = builder
            .step(Step::Copy(Copy::context(&[&cx.src_dir()], "./")))
            .steps(ui.copies(cx, None))
            .steps(ui.checks())
            .step(Step::Run(commands));
    }
    let owner = cx.owner();
    let mut runtime = runtime_stage(
        runtime_image,
        "Runtime: the jar on a JRE, owned by the non-root runtime user.",
        cx.create_user(runtime_image),
    )
    .step(Step::Copy(
        Copy::stage("builder", "/out/app.jar", "/app/app.jar").owned_by(&owner),
    ));
    if lib {
        runtime = runtime.step(Step::Copy(
            Copy::stage("builder", "/out/lib", "/app/lib").owned_by(&owner),
        ));
    }
    let command = ["java", HEAP_PERCENT, "-jar", "/app/app.jar"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let runtime = cx.finish(runtime, health::shell_tool(runtime_image), command);
    ui.stages.extend([builder, runtime]);
    assemble(cx, ui.stages)
}
