//! A deserializer that refuses a value nested deeper than a limit.
//!
//! postcard decodes a nested value by recursion, one call deeper per
//! level, and has no limit of its own: a recursive message type
//! (`enum Tree { Leaf, Node(Box<Tree>) }`) lets a peer's bytes, one byte
//! a level, run the decoding thread out of stack, which aborts the whole
//! process (a stack overflow is no panic, and cannot be caught). This
//! wrapper passes every call through to the deserializer it wraps, and
//! counts the levels on the way down: an element of a sequence, a key or
//! a value of a map, the content of a variant, an option or a newtype
//! struct is one level deeper than what holds it; past the limit the
//! value fails to decode, before its level is entered.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Visitor};

/// How many levels a value may still go down, and where to say that it
/// tried to go further.
#[derive(Clone, Copy)]
pub(crate) struct Depth<'a> {
    left: usize,
    too_deep: &'a Cell<bool>,
}

impl<'a> Depth<'a> {
    /// `limit` levels below the top, noting in `too_deep` a value that
    /// goes further.
    pub(crate) fn new(limit: usize, too_deep: &'a Cell<bool>) -> Self {
        Self {
            left: limit,
            too_deep,
        }
    }

    /// One level down, or the error that stops the decoding.
    fn deeper<E: de::Error>(self) -> Result<Self, E> {
        match self.left.checked_sub(1) {
            Some(left) => Ok(Self { left, ..self }),
            None => {
                self.too_deep.set(true);
                Err(E::custom("the value is nested too deep"))
            }
        }
    }
}

/// A deserializer whose values may nest `depth` levels more.
pub(crate) struct Nested<'a, D> {
    pub(crate) inner: D,
    pub(crate) depth: Depth<'a>,
}

/// Passes a `deserialize_*` call through, with the visitor wrapped.
macro_rules! pass_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            let visitor = Nested { inner: visitor, depth: self.depth };
            self.inner.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for Nested<'_, D> {
    type Error = D::Error;

    pass_deserialize! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// Passes a `visit_*` call with a plain value through.
macro_rules! pass_visit {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, value: $ty) -> Result<V::Value, E> {
            self.inner.$method(value)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Nested<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    pass_visit! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_str(&str);
        visit_borrowed_str(&'de str);
        visit_string(String);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, inner: D) -> Result<V::Value, D::Error> {
        let depth = self.depth.deeper()?;
        self.inner.visit_some(Nested { inner, depth })
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        inner: D,
    ) -> Result<V::Value, D::Error> {
        let depth = self.depth.deeper()?;
        self.inner.visit_newtype_struct(Nested { inner, depth })
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, inner: A) -> Result<V::Value, A::Error> {
        let depth = self.depth;
        self.inner.visit_seq(Nested { inner, depth })
    }

    fn visit_map<A: de::MapAccess<'de>>(self, inner: A) -> Result<V::Value, A::Error> {
        let depth = self.depth;
        self.inner.visit_map(Nested { inner, depth })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, inner: A) -> Result<V::Value, A::Error> {
        let depth = self.depth;
        self.inner.visit_enum(Nested { inner, depth })
    }
}

/// The seed of a value one level below its holder's.
struct Below<'a, S> {
    seed: S,
    depth: Depth<'a>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Below<'_, S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, inner: D) -> Result<S::Value, D::Error> {
        let depth = self.depth.deeper()?;
        self.seed.deserialize(Nested { inner, depth })
    }
}

/// The seed of an enum's variant name or number, at its enum's level.
struct Level<'a, S> {
    seed: S,
    depth: Depth<'a>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Level<'_, S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, inner: D) -> Result<S::Value, D::Error> {
        let depth = self.depth;
        self.seed.deserialize(Nested { inner, depth })
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Nested<'_, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let depth = self.depth;
        self.inner.next_element_seed(Below { seed, depth })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Nested<'_, A> {
    type Error = A::Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let depth = self.depth;
        self.inner.next_key_seed(Below { seed, depth })
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        let depth = self.depth;
        self.inner.next_value_seed(Below { seed, depth })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'a, 'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Nested<'a, A> {
    type Error = A::Error;
    type Variant = Nested<'a, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let depth = self.depth;
        let (value, inner) = self.inner.variant_seed(Level { seed, depth })?;
        Ok((value, Nested { inner, depth }))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Nested<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        let depth = self.depth;
        self.inner.newtype_variant_seed(Below { seed, depth })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let visitor = Nested {
            inner: visitor,
            depth: self.depth,
        };
        self.inner.tuple_variant(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let visitor = Nested {
            inner: visitor,
            depth: self.depth,
        };
        self.inner.struct_variant(fields, visitor)
    }
}
