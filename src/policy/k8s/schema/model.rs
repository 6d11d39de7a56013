//! The compact form schemas are validated in: a [`Schema`] is an arena of [`Shape`]s, one per
//! JSON-schema node, that refer to each other by [`ShapeId`] (a type such as `PodSpec` is one
//! shape, shared by every field of that type; recursive types refer back to themselves).
//!
//! Only what validation needs is kept: the type of each node, the fields of objects (sorted, for
//! binary search) and which are required, what an object accepts besides its fields, the items
//! of arrays, and the values an enumerated string may take. Descriptions are read while a schema
//! is compiled (for the values of enumerations, [`super::enums`]) and then dropped.

/// The index of a shape in its [`Schema`].
pub(crate) type ShapeId = u32;

/// What a node of a manifest may be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// Anything (free-form objects such as `RawExtension`, schemas that say nothing).
    Any,
    /// An object with declared fields.
    Object(Box<ObjectShape>),
    /// An object whose keys are free and whose values all have one shape (labels, `data`).
    Map(ShapeId),
    /// A list of items of one shape.
    Array(ShapeId),
    /// A string, limited to `values` when the schema enumerates them.
    String(Option<Box<[Box<str>]>>),
    /// An integer of `bits` bits (32 or 64).
    Integer { bits: u8 },
    /// A number, integer or not.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An integer or a string (`targetPort`, `maxSurge`).
    IntOrString,
    /// A resource quantity: a string (`250m`, `1Gi`) or a number.
    Quantity,
}

/// The fields of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ObjectShape {
    /// The type's name in messages (`Container`, `DeploymentSpec`); empty for anonymous objects.
    pub name: Box<str>,
    /// The declared fields, in [`field_order`].
    pub fields: Box<[(Box<str>, ShapeId)]>,
    /// The fields that must be set.
    pub required: Box<[Box<str>]>,
    /// What keys other than the declared fields may hold.
    pub extra: Extra,
}

/// What an object accepts besides its declared fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extra {
    /// Nothing: any other key is an unknown field.
    Nothing,
    /// Anything (`x-kubernetes-preserve-unknown-fields`).
    Anything,
    /// Values of one shape.
    Values(ShapeId),
}

impl ObjectShape {
    /// The shape of a declared field.
    pub(crate) fn field(&self, name: &str) -> Option<ShapeId> {
        self.fields
            .binary_search_by(|(field, _)| field_order(field, name))
            .ok()
            .map(|index| self.fields[index].1)
    }

    /// The names of the declared fields.
    pub(crate) fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(name, _)| name.as_ref())
    }
}

/// The order fields are kept in for binary search: by length, then by name. Most comparisons of
/// a lookup are then settled by the lengths, without comparing the texts.
pub(crate) fn field_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// An arena of shapes; a schema's root is one of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Schema {
    shapes: Vec<Shape>,
}

/// The shape every schema holds at index 0: [`Shape::Any`].
pub(crate) const ANY: ShapeId = 0;

impl Schema {
    /// An arena holding only [`ANY`].
    pub(crate) fn new() -> Self {
        Self {
            shapes: vec![Shape::Any],
        }
    }

    /// Adds a shape, returning its id.
    pub(crate) fn push(&mut self, shape: Shape) -> ShapeId {
        self.shapes.push(shape);
        ShapeId::try_from(self.shapes.len() - 1).unwrap_or(ANY)
    }

    /// Replaces a shape reserved earlier (for recursive types).
    pub(crate) fn set(&mut self, id: ShapeId, shape: Shape) {
        if let Some(slot) = self.shapes.get_mut(id as usize) {
            *slot = shape;
        }
    }

    /// The shape of an id (`Any` for an id of another arena).
    pub(crate) fn get(&self, id: ShapeId) -> &Shape {
        self.shapes.get(id as usize).unwrap_or(&Shape::Any)
    }

    #[cfg(test)]
    /// The number of shapes.
    pub(crate) fn len(&self) -> usize {
        self.shapes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_by_binary_search() {
        let mut schema = Schema::new();
        let string = schema.push(Shape::String(None));
        let object = ObjectShape {
            name: "Container".into(),
            fields: vec![("name".into(), string), ("image".into(), string)].into(),
            required: vec!["name".into()].into(),
            extra: Extra::Nothing,
        };
        assert_eq!(object.field("name"), Some(string));
        assert_eq!(object.field("image"), Some(string));
        assert_eq!(object.field("nam"), None);
        assert_eq!(object.field("imagen"), None);
        assert_eq!(object.field_names().collect::<Vec<_>>(), ["name", "image"]);
        assert_eq!(schema.get(99), &Shape::Any);
        assert_eq!(schema.len(), 2);
    }
}
