using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Tests.Support.PowerCuts;

/// <summary>
/// One flash-writing sequence to interrupt at every operation (<see cref="PowerCutCampaign"/>): the chip before it, the
/// writes themselves, and the images that count as whole.
/// </summary>
/// <param name="Name">What the sequence is, for reports ("OTA first update (v1 → v2)").</param>
/// <param name="Start">Builds the chip as it is before the sequence; called once, each run works on a copy.</param>
/// <param name="Run">Performs the writes on the chip it is given; a <see cref="PowerCutException"/> from the chip must
/// propagate out of it (the campaign expects one at every planned cut).</param>
/// <param name="WholeImages">Image files (ota.bin format, any signature) whose Image 2 (+ Image 3) counts as whole: the
/// images that exist before or after the sequence. A boot is whole when the booted header and body are byte-identical to
/// one of them, signature words aside.</param>
public sealed record FlashSequence(string Name, Func<NorFlash> Start, Func<NorFlash, Task> Run, IReadOnlyList<byte[]> WholeImages)
{
    /// <summary>The recovery pins set HIGH for the "recovery pin active" boot (active-high, as <c>setRecoverPin</c> stores
    /// them). Default: PE_5, the examples' pin 18 on the RTL8195A.</summary>
    public IReadOnlyList<ChipPin> RecoveryPins { get; init; } = [PinMap.Rtl8195a.ToChip(18)!.Value];

    /// <summary>
    /// How a boot after a cut is judged, for a family other than Ameba1: the chip, the pins, the whole images; returns what
    /// booted (whole, partial, unbootable), a label for the report and a detail for failures. Null: Ameba1's boot loader.
    /// </summary>
    public Func<NorFlash, PinLevels, IReadOnlyList<byte[]>, (CutBoot Kind, string Label, string Detail)>? Classify { get; init; }
    /// How a boot after a cut is judged, for families whose boot code and images are not Ameba1's: given the chip and the
    /// pin levels, whether a whole image starts (and which), a half-written one, or none. Null: Ameba1's boot loader,
    /// and <see cref="WholeImages"/> as Ameba1 image files.
    /// </summary>
    public Func<NorFlash, PinLevels, CutClassification>? Classifier { get; init; }

    /// <summary>A sequence whose writes are synchronous.</summary>
    public static FlashSequence Sync(string name, Func<NorFlash> start, Action<NorFlash> run, params byte[][] wholeImages) =>
        new(name, start, flash => { run(flash); return Task.CompletedTask; }, wholeImages);

    /// <inheritdoc />
    public override string ToString() => Name;
}
