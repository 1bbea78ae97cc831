namespace AmebaOta.Device.Farm;

/// <summary>Why a farm cannot start, as one sentence for people.</summary>
public sealed class FarmException(FarmProblem problem, string message) : Exception(message)
{
    public FarmProblem Problem { get; } = problem;
}

/// <summary>What kind of mistake a <see cref="FarmException"/> reports.</summary>
public enum FarmProblem
{
    /// <summary>The options contradict each other or are out of range (count, addresses, port, names).</summary>
    BadOptions,
    /// <summary>A flash file is missing and there is no image to create it from.</summary>
    MissingInput,
}
