using System.Runtime.CompilerServices;

// The tests check the figures' statistics (mean ± sd by β index) and gap handling directly.
[assembly: InternalsVisibleTo("DenseAm.Tests")]
