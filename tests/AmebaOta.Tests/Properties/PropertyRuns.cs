using FsCheck;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>
/// How many cases each property runs: <c>AMEBAOTA_PROPERTY_CASES</c> (e.g. 100000 for a nightly-size run), else a fast
/// subset for the normal suite. A failure throws with the counterexample and FsCheck's replay seed.
/// </summary>
public static class PropertyRuns
{
    /// <summary>Cases in the normal suite.</summary>
    public const int FastCases = 1500;

    /// <summary>Cases per property: the environment's number, or <see cref="FastCases"/>.</summary>
    public static int Cases { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("AMEBAOTA_PROPERTY_CASES"), out int n) && n > 0 ? n : FastCases;

    /// <summary>Checks <paramref name="property"/> for <paramref name="cases"/> (default <see cref="Cases"/>) values of <paramref name="arbitrary"/>.</summary>
    public static void Check<T>(Arbitrary<T> arbitrary, Action<T> property, int? cases = null) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(cases ?? Cases).WithQuietOnSuccess(true), Prop.ForAll(arbitrary, property));

    /// <summary>A fraction of <see cref="Cases"/> (at least <paramref name="minimum"/>), for properties that touch the disk.</summary>
    public static int Fraction(int divisor, int minimum) => Math.Max(minimum, Cases / divisor);
}
