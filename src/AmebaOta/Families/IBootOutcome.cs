using AmebaOta.Images;

namespace AmebaOta.Families;

/// <summary>What a family's boot code decided at one power-on, as the family-independent parts (the virtual board, its
/// status line) need it; the family's own result type carries the facts behind the decision.</summary>
public interface IBootOutcome
{
    /// <summary>What the boot code printed on the serial port, in order.</summary>
    IReadOnlyList<string> Log { get; }

    /// <summary>True when an application image was started.</summary>
    bool Started { get; }

    /// <summary>Where the chosen image stands in flash (null: nothing was chosen).</summary>
    uint? ChosenAddress { get; }

    /// <summary>How the boot ended, as one word (<c>Started</c>, <c>NoFirmware</c>, …).</summary>
    string OutcomeName { get; }

    /// <summary>The sketch descriptor of the chosen image (null: none, or real code).</summary>
    SketchDescriptor? Sketch { get; }

    /// <summary>Why the chosen image has no usable descriptor (damaged), when it has one that could not be read.</summary>
    string? SketchError { get; }

    /// <summary>One sentence on why this image (or none) was chosen.</summary>
    string Reason { get; }
}
