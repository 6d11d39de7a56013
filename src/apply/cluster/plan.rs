//! The plan: for each object, what the cluster holds now, what it would hold after the apply, and
//! the diff between the two, found by a server-side dry run.
//!
//! [`Cluster::plan`] puts the objects in apply order ([`super::order`]), finds the resource of
//! each kind, reads the live object, and sends the apply with `dryRun=All`, so the server merges
//! the manifest into the live object (defaults, admission, other managers' fields) without
//! storing anything. Both sides lose their server bookkeeping ([`super::normalize`]), Secret
//! values are masked ([`crate::secrets::k8s::diff`]), and what is left is rendered as YAML for
//! [`crate::apply::diff::unified`]. Nothing is changed in the cluster while planning.
//!
//! An object in a namespace that the same apply creates cannot be dry-run yet (the namespace does
//! not exist); it is shown as written, with a note, and applied after its namespace. The same
//! goes for a custom resource whose CustomResourceDefinition the same apply brings
//! ([`super::crd`]): its resource is read from the definition, and the apply waits for the
//! definition to be established before sending it.

use std::collections::HashSet;

use kube::api::{Api, DynamicObject, Patch, PatchParams, ValidationDirective};
use kube::discovery::Scope;
use serde_json::Value;

use super::connect::Cluster;
use super::crd::DefinedKinds;
use super::errors::{self, Doing};
use super::manifest::{Manifest, Manifests, Source};
use super::normalize::{strip_noise, to_yaml};
use super::object::ObjectRef;
use super::order;
use crate::apply::diff;
use crate::error::{Error, Result};
use crate::secrets::k8s::diff::mask_secret_values;

/// The field manager aigen applies as.
pub const FIELD_MANAGER: &str = "aigen";

/// Choices that change what is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Take ownership of fields another field manager owns (server-side apply `force`), instead
    /// of failing with a conflict.
    pub force: bool,
}

/// What applying an object does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The object does not exist yet.
    Create,
    /// The object exists and would change.
    Update,
    /// The object exists and would stay as it is.
    Unchanged,
}

impl Action {
    /// `create`, `update`, `unchanged`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Unchanged => "unchanged",
        }
    }
}

/// One object of a plan.
#[derive(Clone)]
pub struct Change {
    /// The object, with its namespace resolved.
    pub object: ObjectRef,
    /// Where it was written.
    pub source: Source,
    pub action: Action,
    /// The live object as YAML, without server bookkeeping and with Secret values masked;
    /// `None` when it does not exist.
    pub live: Option<String>,
    /// The object as it would be after the apply, in the same form.
    pub proposed: String,
    /// Something the reviewer should know about this change.
    pub note: Option<String>,
    /// What is sent: the manifest exactly as written.
    manifest: Value,
    force: bool,
    position: usize,
    /// The CustomResourceDefinition of this apply that must be established before this custom
    /// resource can be sent.
    definition: Option<String>,
}

impl Change {
    /// The unified diff from the live object (or nothing) to the proposed one; empty when
    /// unchanged. Secret values are masked.
    pub fn diff(&self) -> String {
        diff::unified(
            &self.object.diff_path(),
            self.live.as_deref(),
            &self.proposed,
        )
    }

    /// Whether this change takes over fields from other managers.
    pub fn force(&self) -> bool {
        self.force
    }

    /// The manifest that will be sent. For a Secret this holds real values: never print it.
    pub(crate) fn manifest(&self) -> &Value {
        &self.manifest
    }

    pub(crate) fn position(&self) -> usize {
        self.position
    }

    /// The CustomResourceDefinition, created by the same apply, that defines this object's kind.
    pub fn waits_for_definition(&self) -> Option<&str> {
        self.definition.as_deref()
    }
}

// Hand-written so that a Secret's values cannot reach a log line through `{:?}`.
impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Change")
            .field("object", &self.object)
            .field("source", &self.source)
            .field("action", &self.action)
            .field("live", &self.live)
            .field("proposed", &self.proposed)
            .field("note", &self.note)
            .finish_non_exhaustive()
    }
}

/// The changes an apply would make, in apply order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    /// The changes that would do something (not [`Action::Unchanged`]).
    pub fn pending(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.action != Action::Unchanged)
    }
}

impl Cluster {
    /// Plans the apply of `manifests` by a server-side dry run of each object, in apply order.
    /// Stops at the first object the cluster refuses, naming it.
    pub async fn plan(&self, manifests: &Manifests, options: PlanOptions) -> Result<Plan> {
        manifests.check_duplicates()?;
        let mut ordered: Vec<&Manifest> = manifests.objects.iter().collect();
        order::sort_by_kind(&mut ordered, |m| m.key().kind.as_str());
        let defined = DefinedKinds::from_manifests(manifests);
        let mut created_namespaces: HashSet<String> = HashSet::new();
        let mut changes = Vec::with_capacity(ordered.len());
        for (position, manifest) in ordered.into_iter().enumerate() {
            let change = self
                .plan_one(manifest, position, options, &created_namespaces, &defined)
                .await?;
            if change.object.kind == "Namespace"
                && change.object.api_version == "v1"
                && change.action == Action::Create
            {
                created_namespaces.insert(change.object.name.clone());
            }
            changes.push(change);
        }
        Ok(Plan { changes })
    }

    async fn plan_one(
        &self,
        manifest: &Manifest,
        position: usize,
        options: PlanOptions,
        created_namespaces: &HashSet<String>,
        defined: &DefinedKinds,
    ) -> Result<Change> {
        let key = manifest.key();
        let (object, definition) = self.resolve(manifest, defined).await?;
        if let Some(definition) = definition {
            let note = format!(
                "its CustomResourceDefinition `{definition}` is created by this apply, so the server could not dry-run this object; it is shown as written and applied once the definition is established"
            );
            let mut proposed = manifest.object().clone();
            strip_noise(&mut proposed);
            return Ok(Change {
                source: manifest.source().clone(),
                action: Action::Create,
                live: None,
                proposed: to_yaml(&proposed)?,
                note: Some(note),
                manifest: manifest.object().clone(),
                force: options.force,
                position,
                definition: Some(definition),
                object,
            });
        }
        let api = self.api_for(&object);
        let live = api
            .get_opt(&object.name)
            .await
            .map_err(|e| errors::from_kube(e, &Doing::Read(&object), self.endpoint()))?;
        let params = apply_params(options.force).dry_run();
        let dry_run = api
            .patch(&key.name, &params, &Patch::Apply(manifest.object()))
            .await;
        let (mut merged, note) = match dry_run {
            Ok(merged) => (to_value(&merged)?, None),
            Err(error)
                if object.namespace.as_ref().is_some_and(|ns| {
                    created_namespaces.contains(ns) && errors::is_missing_namespace(&error, ns)
                }) =>
            {
                let note = format!(
                    "namespace `{}` is created by this apply, so the server could not dry-run this object; it is shown as written",
                    object.namespace.as_deref().unwrap_or_default()
                );
                (manifest.object().clone(), Some(note))
            }
            Err(error) => {
                return Err(errors::from_kube(
                    error,
                    &Doing::DryRun(&object, manifest.source()),
                    self.endpoint(),
                ));
            }
        };
        let mut live = live.as_ref().map(to_value).transpose()?;
        if let Some(live) = live.as_mut() {
            strip_noise(live);
        }
        strip_noise(&mut merged);
        let action = match &live {
            None => Action::Create,
            Some(live) if *live == merged => Action::Unchanged,
            Some(_) => Action::Update,
        };
        mask_secret_values(live.as_mut(), &mut merged);
        Ok(Change {
            source: manifest.source().clone(),
            action,
            live: live.as_ref().map(to_yaml).transpose()?,
            proposed: to_yaml(&merged)?,
            note,
            manifest: manifest.object().clone(),
            force: options.force,
            position,
            definition: None,
            object,
        })
    }

    /// Discovery for the object's kind, and its namespace resolved. A kind the cluster does not
    /// serve yet but a CustomResourceDefinition of the manifests defines is taken from that
    /// definition, whose name comes back with the object.
    async fn resolve(
        &self,
        manifest: &Manifest,
        defined: &DefinedKinds,
    ) -> Result<(ObjectRef, Option<String>)> {
        let key = manifest.key();
        let (resource, scope, definition) =
            match self.resource_for(&key.api_version, &key.kind).await {
                Ok((resource, scope)) => (resource, scope, None),
                Err(error) => match defined.find(&key.api_version, &key.kind) {
                    Some(kind) => {
                        let (resource, scope) = kind.resource();
                        (resource, scope, Some(kind.definition.clone()))
                    }
                    None => return Err(error),
                },
            };
        let namespace = match scope {
            Scope::Cluster => None,
            Scope::Namespaced => {
                if let Some(written) = &key.namespace
                    && self.namespace_from_flag()
                    && written != self.namespace()
                {
                    return Err(Error::usage_with_hint(
                        format!(
                            "{} puts {key} in namespace `{written}`, but --namespace is `{}`",
                            manifest.source(),
                            self.namespace()
                        ),
                        format!(
                            "pass --namespace {written}, or leave the namespace out of the manifest"
                        ),
                    ));
                }
                Some(
                    key.namespace
                        .clone()
                        .unwrap_or_else(|| self.namespace().to_string()),
                )
            }
        };
        let object = ObjectRef {
            api_version: key.api_version.clone(),
            kind: key.kind.clone(),
            resource: resource.plural,
            namespace,
            name: key.name.clone(),
        };
        Ok((object, definition))
    }

    pub(crate) fn api_for(&self, object: &ObjectRef) -> Api<DynamicObject> {
        let resource = object.api_resource();
        match &object.namespace {
            Some(namespace) => Api::namespaced_with(self.client.clone(), namespace, &resource),
            None => Api::all_with(self.client.clone(), &resource),
        }
    }
}

/// Server-side apply as `aigen`, with strict field validation (unknown fields are errors, as
/// with `kubectl apply`), forced only when asked.
pub(crate) fn apply_params(force: bool) -> PatchParams {
    let params = PatchParams::apply(FIELD_MANAGER).validation(ValidationDirective::Strict);
    if force { params.force() } else { params }
}

pub(crate) fn to_value(object: &DynamicObject) -> Result<Value> {
    serde_json::to_value(object)
        .map_err(|e| Error::usage(format!("cannot read an object the cluster returned: {e}")))
}
