//! Arithmetic in GF(2^8), the field Shamir's scheme works in here.
//!
//! Why this field: every byte of the secret is shared independently, so a 32-byte X25519 key is
//! 32 polynomials over GF(256); up to 255 non-zero evaluation points allow committees of up to
//! 255 members. The reduction polynomial is the AES one, x^8 + x^4 + x^3 + x + 1 (0x11B, FIPS 197
//! §4.2); any irreducible polynomial would do, this one is the usual choice.
//!
//! Why no lookup tables: the share values and the secret are secret, and table lookups indexed by
//! secret bytes leak them through the cache. Multiplication is the carry-less shift-and-add loop
//! with masks instead of branches, and inversion is exponentiation (a^254 = a^-1, Fermat), so the
//! instruction sequence does not depend on the operands.

/// Addition (and subtraction: they are the same in characteristic 2).
#[inline]
pub(crate) fn add(a: u8, b: u8) -> u8 {
    a ^ b
}

/// Multiplication modulo 0x11B, without data-dependent branches or memory accesses.
#[inline]
pub(crate) fn mul(a: u8, b: u8) -> u8 {
    let mut a = a;
    let mut b = b;
    let mut product = 0u8;
    for _ in 0..8 {
        // mask = 0xFF if the low bit of b is set, else 0x00.
        product ^= a & 0u8.wrapping_sub(b & 1);
        let carry = 0u8.wrapping_sub(a >> 7);
        a = (a << 1) ^ (0x1B & carry);
        b >>= 1;
    }
    product
}

/// Multiplicative inverse, a^254; maps 0 to 0 (callers never divide by zero: evaluation points
/// are distinct and non-zero, checked before interpolation).
pub(crate) fn inv(a: u8) -> u8 {
    // 254 = 0b1111_1110: a^2 · a^4 · … · a^128, a fixed sequence of squarings and products.
    let mut square = mul(a, a); // a^2
    let mut result = square;
    for _ in 0..6 {
        square = mul(square, square); // a^4, a^8, …, a^128
        result = mul(result, square);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Schoolbook reference: polynomial product, then reduction, with branches (test only).
    fn reference_mul(a: u8, b: u8) -> u8 {
        let mut wide: u16 = 0;
        for bit in 0..8 {
            if b & (1 << bit) != 0 {
                wide ^= (a as u16) << bit;
            }
        }
        for bit in (8..16).rev() {
            if wide & (1 << bit) != 0 {
                wide ^= 0x11B << (bit - 8);
            }
        }
        wide as u8
    }

    #[test]
    fn multiplication_matches_the_schoolbook_definition_for_every_pair() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                assert_eq!(mul(a, b), reference_mul(a, b), "{a} * {b}");
            }
        }
    }

    #[test]
    fn known_products_from_fips_197() {
        // FIPS 197 §4.2: {57} • {83} = {c1}, {57} • {13} = {fe}.
        assert_eq!(mul(0x57, 0x83), 0xC1);
        assert_eq!(mul(0x57, 0x13), 0xFE);
    }

    #[test]
    fn every_non_zero_element_has_an_inverse() {
        assert_eq!(inv(0), 0);
        for a in 1..=255u8 {
            assert_eq!(mul(a, inv(a)), 1, "inverse of {a}");
        }
    }

    #[test]
    fn field_laws_hold() {
        for a in 0..=255u8 {
            assert_eq!(add(a, a), 0);
            assert_eq!(mul(a, 1), a);
            assert_eq!(mul(a, 0), 0);
            for b in [0u8, 1, 2, 3, 0x53, 0xCA, 0xFF] {
                assert_eq!(mul(a, b), mul(b, a));
                for c in [1u8, 7, 0x80, 0xFE] {
                    assert_eq!(mul(a, add(b, c)), add(mul(a, b), mul(a, c)));
                    assert_eq!(mul(mul(a, b), c), mul(a, mul(b, c)));
                }
            }
        }
    }
}
