//! The schemas of the built-in kinds, by `apiVersion` and `kind`, compiled once per process
//! from the JSON schemas `k8s-openapi` implements for its types.

use std::collections::HashMap;
use std::sync::LazyLock;

use k8s_openapi::Resource;
use k8s_openapi::api::{
    admissionregistration, apps, autoscaling, batch, core, networking, policy, rbac, scheduling,
    storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions;
use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::Value;

use super::compile::Compiler;
use super::model::{Schema, ShapeId};

/// The compiled schemas of the built-in kinds.
#[derive(Debug)]
pub(crate) struct Catalog {
    schema: Schema,
    roots: HashMap<(&'static str, &'static str), ShapeId>,
}

impl Catalog {
    /// The arena every root lives in.
    pub(crate) fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The schema of an `apiVersion` and `kind`, when it is a built-in one.
    pub(crate) fn root(&self, api_version: &str, kind: &str) -> Option<ShapeId> {
        self.roots.get(&(api_version, kind)).copied()
    }

    /// The `apiVersion`s a built-in kind is served under.
    pub(crate) fn versions_of<'c>(
        &'c self,
        kind: &'c str,
    ) -> impl Iterator<Item = &'static str> + 'c {
        let mut versions: Vec<&'static str> = self
            .roots
            .keys()
            .filter(|(_, k)| *k == kind)
            .map(|(version, _)| *version)
            .collect();
        versions.sort_unstable();
        versions.into_iter()
    }
}

/// The catalog, compiled the first time it is asked for.
pub(crate) fn catalog() -> &'static Catalog {
    static CATALOG: LazyLock<Catalog> = LazyLock::new(build);
    &CATALOG
}

/// One kind's root schema (a `$ref` into the generator's definitions).
struct Root {
    api_version: &'static str,
    kind: &'static str,
    schema: Value,
}

fn root<T: Resource + JsonSchema>(generator: &mut SchemaGenerator) -> Root {
    Root {
        api_version: T::API_VERSION,
        kind: T::KIND,
        schema: generator.subschema_for::<T>().to_value(),
    }
}

fn build() -> Catalog {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let g = &mut generator;
    let kinds = [
        root::<core::v1::Pod>(g),
        root::<core::v1::PodTemplate>(g),
        root::<core::v1::ReplicationController>(g),
        root::<core::v1::Service>(g),
        root::<core::v1::Endpoints>(g),
        root::<core::v1::ConfigMap>(g),
        root::<core::v1::Secret>(g),
        root::<core::v1::ServiceAccount>(g),
        root::<core::v1::PersistentVolume>(g),
        root::<core::v1::PersistentVolumeClaim>(g),
        root::<core::v1::Namespace>(g),
        root::<core::v1::LimitRange>(g),
        root::<core::v1::ResourceQuota>(g),
        root::<apps::v1::Deployment>(g),
        root::<apps::v1::StatefulSet>(g),
        root::<apps::v1::DaemonSet>(g),
        root::<apps::v1::ReplicaSet>(g),
        root::<batch::v1::Job>(g),
        root::<batch::v1::CronJob>(g),
        root::<networking::v1::Ingress>(g),
        root::<networking::v1::IngressClass>(g),
        root::<networking::v1::NetworkPolicy>(g),
        root::<autoscaling::v1::HorizontalPodAutoscaler>(g),
        root::<autoscaling::v2::HorizontalPodAutoscaler>(g),
        root::<policy::v1::PodDisruptionBudget>(g),
        root::<rbac::v1::Role>(g),
        root::<rbac::v1::RoleBinding>(g),
        root::<rbac::v1::ClusterRole>(g),
        root::<rbac::v1::ClusterRoleBinding>(g),
        root::<storage::v1::StorageClass>(g),
        root::<scheduling::v1::PriorityClass>(g),
        root::<admissionregistration::v1::ValidatingWebhookConfiguration>(g),
        root::<admissionregistration::v1::MutatingWebhookConfiguration>(g),
        root::<apiextensions::v1::CustomResourceDefinition>(g),
    ];
    let definitions = generator.take_definitions(true);
    let mut compiler = Compiler::new(&definitions);
    let roots = kinds
        .iter()
        .map(|kind| {
            (
                (kind.api_version, kind.kind),
                compiler.compile(&kind.schema),
            )
        })
        .collect();
    Catalog {
        schema: compiler.finish(),
        roots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::k8s::schema::model::Shape;

    #[test]
    fn built_in_kinds_have_closed_object_schemas() {
        let catalog = catalog();
        let root = catalog.root("apps/v1", "Deployment").expect("Deployment");
        let Shape::Object(deployment) = catalog.schema().get(root) else {
            panic!("{:?}", catalog.schema().get(root));
        };
        assert_eq!(&*deployment.name, "Deployment");
        let spec = deployment.field("spec").expect("spec");
        let Shape::Object(spec) = catalog.schema().get(spec) else {
            panic!();
        };
        assert!(spec.required.iter().any(|field| &**field == "template"));
        assert!(catalog.root("apps/v1", "Widget").is_none());
        assert_eq!(
            catalog
                .versions_of("HorizontalPodAutoscaler")
                .collect::<Vec<_>>(),
            ["autoscaling/v1", "autoscaling/v2"]
        );
    }
}
