namespace AmebaOta.Tests.Support.PowerCuts;

/// <summary>What one boot after a cut did.</summary>
public enum CutBoot
{
    /// <summary>Image 2 started, and it is one of the sequence's whole images.</summary>
    Whole,
    /// <summary>Image 2 started, but its header or body is not any whole image: half-written firmware runs.</summary>
    Partial,
    /// <summary>The boot loader stopped (<c>Fatal:no fw</c>, <c>Invalid Image2 Signature</c>).</summary>
    Unbootable,
}

/// <summary>What a <see cref="FlashSequence.Classifier"/> found: the kind of boot, the whole image's label ("v1"), and why, when it is not whole.</summary>
public sealed record CutClassification(CutBoot Kind, string Label, string Detail);

/// <summary>One interrupted run: where the power was cut and what the two boots (recovery pin inactive, active) did.</summary>
public sealed record CutResult(long Operation, bool Torn, CutBoot PinLow, CutBoot PinHigh, string Detail)
{
    /// <summary>True when both boots started a whole image.</summary>
    public bool Bootable => PinLow == CutBoot.Whole && PinHigh == CutBoot.Whole;
}

/// <summary>The outcome of interrupting a sequence at every one of its flash operations, torn and untorn.</summary>
public sealed record PowerCutReport(string Sequence, long Operations, IReadOnlyList<CutResult> Cuts, IReadOnlyDictionary<string, int> BootedImages)
{
    /// <summary>Interrupted runs (2 per flash operation: untorn and torn).</summary>
    public int Interrupted => Cuts.Count;

    /// <summary>Runs after which at least one of the two boots did not start a whole image.</summary>
    public IReadOnlyList<CutResult> Failures => Cuts.Where(c => !c.Bootable).ToList();

    /// <summary>Runs after which some boot started a half-written image.</summary>
    public int PartialBoots => Cuts.Count(c => c.PinLow == CutBoot.Partial || c.PinHigh == CutBoot.Partial);

    /// <summary>Runs after which some boot stopped in the boot loader.</summary>
    public int Unbootable => Cuts.Count(c => c.PinLow == CutBoot.Unbootable || c.PinHigh == CutBoot.Unbootable);

    /// <summary>The line for the test summary and BENCHMARKS.md.</summary>
    public string Summary =>
        $"{Sequence}: {Failures.Count} of {Interrupted} interrupted sequences unbootable " +
        $"({Operations} flash operations, each cut untorn and torn, booted with the recovery pin low and high" +
        (Failures.Count > 0 ? $"; {PartialBoots} started a half-written image, {Unbootable} stopped in the boot loader" : "") +
        $"; images booted with the pin low: {string.Join(", ", BootedImages.OrderBy(b => b.Key).Select(b => $"{b.Key} ×{b.Value}"))})";

    /// <summary>The first few failures, for an assertion message.</summary>
    public string Describe(int max = 5) =>
        Summary + string.Concat(Failures.Take(max).Select(f => $"\n  cut at operation {f.Operation}{(f.Torn ? " (torn)" : "")}: pin low {f.PinLow}, pin high {f.PinHigh}; {f.Detail}"));
}
