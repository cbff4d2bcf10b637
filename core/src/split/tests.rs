//! Bit-exactness against numpy 2.4 (`RandomState` is frozen, so the vectors never change).
//! Vectors were produced with `numpy.random.RandomState(seed).permutation(n)` and
//! `.randint(0, 2**32, dtype=np.uint32)`.

use super::*;

#[test]
fn mt19937_reference_outputs_for_seed_5489() {
    let mut mt = Mt19937::new(5489);
    let got: Vec<u32> = (0..5).map(|_| mt.next_u32()).collect();
    assert_eq!(
        got,
        [3499211612, 581869302, 3890346734, 3586334585, 545404204]
    );
}

#[test]
fn raw_outputs_match_numpy() {
    let mut rs = NumpyRandomState::new(23);
    let got: Vec<u32> = (0..3).map(|_| rs.next_u32()).collect();
    assert_eq!(got, [2221777491, 2873750246, 4067173416]);
    let mut rs = NumpyRandomState::new(0);
    let got: Vec<u32> = (0..3).map(|_| rs.next_u32()).collect();
    assert_eq!(got, [2357136044, 2546248239, 3071714933]);
}

#[test]
fn mt19937_survives_many_twists() {
    // 10 000th output of the reference implementation seeded with 5489 (C++ std::mt19937).
    let mut mt = Mt19937::new(5489);
    let last = (0..10_000).map(|_| mt.next_u32()).last().unwrap();
    assert_eq!(last, 4123659995);
}

#[test]
fn permutations_match_numpy() {
    let cases: [(u32, usize, &[usize]); 4] = [
        (0, 10, &[2, 8, 4, 9, 1, 6, 7, 3, 0, 5]),
        (1, 1, &[0]),
        (42, 2, &[1, 0]),
        (
            4294967295,
            17,
            &[8, 1, 5, 14, 10, 15, 16, 13, 11, 9, 6, 0, 4, 7, 12, 2, 3],
        ),
    ];
    for (seed, n, expected) in cases {
        assert_eq!(
            NumpyRandomState::new(seed).permutation(n),
            expected,
            "seed {seed}"
        );
    }
    let expected_100 = [
        26, 80, 82, 68, 77, 37, 3, 55, 20, 17, 72, 24, 71, 87, 89, 29, 9, 67, 42, 94, 85, 28, 8,
        11, 63, 4, 53, 5, 81, 98, 97, 23, 7, 60, 27, 78, 18, 61, 47, 16, 74, 84, 52, 50, 46, 34,
        99, 88, 79, 0, 14, 30, 95, 38, 22, 13, 56, 32, 35, 44, 10, 2, 93, 96, 58, 70, 43, 1, 65,
        36, 15, 92, 59, 33, 19, 57, 62, 41, 48, 21, 86, 64, 69, 75, 66, 49, 12, 45, 6, 51, 25, 90,
        39, 91, 76, 31, 54, 73, 40, 83,
    ];
    assert_eq!(NumpyRandomState::new(23).permutation(100), expected_100);
    assert!(NumpyRandomState::new(7).permutation(0).is_empty());
}

#[test]
fn hls_burn_scars_split_matches_pangaea() {
    let (train, val) = pangaea_train_val_split(540, 0.1, 23).unwrap();
    assert_eq!(val.len(), 54);
    assert_eq!(train.len(), 486);
    let expected_val = [
        226, 394, 117, 148, 19, 391, 432, 363, 349, 63, 46, 309, 420, 45, 427, 442, 338, 231, 201,
        447, 511, 352, 115, 73, 393, 64, 381, 274, 437, 276, 376, 151, 217, 266, 423, 281, 86, 382,
        222, 167, 315, 422, 453, 258, 502, 387, 482, 385, 124, 506, 327, 125, 127, 302,
    ];
    assert_eq!(val, expected_val);
    assert_eq!(
        train[..10],
        [271, 531, 444, 172, 464, 451, 178, 158, 433, 108]
    );
    assert_eq!(train[476..], [524, 429, 6, 39, 347, 460, 237, 31, 488, 40]);
}

#[test]
fn other_splits_match_numpy_and_ceil() {
    let (train, val) = pangaea_train_val_split(7, 0.3, 5).unwrap();
    assert_eq!(val, [6, 2, 4]); // ceil(2.1) = 3
    assert_eq!(train, [1, 0, 5, 3]);
    let (train, val) = pangaea_train_val_split(1000, 0.25, 123).unwrap();
    assert_eq!(val.len(), 250);
    assert_eq!(val[..8], [131, 203, 50, 585, 138, 632, 328, 461]);
    assert_eq!(train[..8], [894, 941, 285, 462, 370, 95, 621, 415]);
}

#[test]
fn split_is_a_partition() {
    for n in [2, 3, 10, 97, 540, 1001] {
        let (train, val) = pangaea_train_val_split(n, 0.1, 23).unwrap();
        let mut all: Vec<usize> = train.iter().chain(&val).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..n).collect::<Vec<_>>(), "n = {n}");
        assert_eq!(val.len(), (0.1 * n as f64).ceil() as usize);
    }
}

#[test]
fn invalid_splits_are_errors() {
    for f in [0.0, 1.0, -0.1, f64::NAN] {
        assert!(matches!(
            pangaea_train_val_split(10, f, 23),
            Err(SplitError::Fraction(_))
        ));
    }
    assert!(matches!(
        pangaea_train_val_split(1, 0.1, 23),
        Err(SplitError::EmptyTrain { n: 1, .. })
    ));
    assert!(pangaea_train_val_split(0, 0.1, 23).is_err());
}
