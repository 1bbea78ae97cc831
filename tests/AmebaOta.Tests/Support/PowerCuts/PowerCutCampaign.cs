using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Tests.Support.PowerCuts;

/// <summary>
/// MCUboot-simulator-style exhaustive power cuts: a clean run of a <see cref="FlashSequence"/> counts its flash
/// operations; then for every operation k, on a fresh copy of the start chip, power is cut at k (once leaving the
/// chip untouched by that operation, once tearing it: half a sector erased, half the bytes programmed), power comes
/// back and the boot loader runs with the recovery pin inactive and active. Each boot is classified as a whole image,
/// a half-written image started, or no start at all.
/// </summary>
public static class PowerCutCampaign
{
    /// <summary>Runs every cut of <paramref name="sequence"/>. Throws if the clean run itself does not end booting a whole image.</summary>
    public static async Task<PowerCutReport> RunAsync(FlashSequence sequence)
    {
        var start = sequence.Start();
        var startContents = start.Contents.ToArray();
        var whole = sequence.Classify is null && sequence.Classifier is null ? sequence.WholeImages.Select(WholeImage.From).ToList() : [];
        (CutBoot Kind, string Label, string Detail) Classify(NorFlash flash, PinLevels pins, List<WholeImage> images) =>
            sequence.Classify is { } family ? family(flash, pins, sequence.WholeImages) : ClassifyOther(sequence, flash, pins, images);

        var reference = Copy(startContents);
        await sequence.Run(reference);
        long operations = reference.OperationCount;
        foreach (bool high in new[] { false, true })
        {
            var (kind, label, detail) = Classify(reference, Pins(sequence, high), whole);
            if (kind != CutBoot.Whole)
                throw new InvalidOperationException($"{sequence.Name}: after an uninterrupted run the board does not boot a whole image (pin {(high ? "high" : "low")}, {label}): {detail}");
        }
        if (operations == 0) throw new InvalidOperationException($"{sequence.Name}: the sequence writes nothing");

        var cuts = new List<CutResult>();
        var booted = new Dictionary<string, int>();
        for (long k = 1; k <= operations; k++)
        {
            foreach (bool tear in new[] { false, true })
            {
                var flash = Copy(startContents);
                flash.SchedulePowerCut(new FlashPowerCut(k, tear));
                bool cut = false;
                try
                {
                    await sequence.Run(flash);
                }
                catch (PowerCutException)
                {
                    cut = true;
                }
                if (!cut) throw new InvalidOperationException($"{sequence.Name}: the cut planned at operation {k} of {operations} never happened (the sequence is not deterministic, or swallowed the cut)");
                flash.PowerOn();

                var low = Classify(flash, Pins(sequence, high: false), whole);
                var high = Classify(flash, Pins(sequence, high: true), whole);
                booted[low.Label] = booted.GetValueOrDefault(low.Label) + 1;
                string detail = low.Kind != CutBoot.Whole ? $"pin low: {low.Detail}" : high.Kind != CutBoot.Whole ? $"pin high: {high.Detail}" : "";
                cuts.Add(new CutResult(k, tear, low.Kind, high.Kind, detail));
            }
        }
        var report = new PowerCutReport(sequence.Name, operations, cuts, booted);
        PowerCutSummary.Record(report);
        return report;
    }

    private static NorFlash Copy(byte[] contents) => new((byte[])contents.Clone());

    private static PinLevels Pins(FlashSequence sequence, bool high)
    {
        var pins = new PinLevels();
        if (high) foreach (var pin in sequence.RecoveryPins) pins[pin] = PinLevel.High;
        return pins;
    }

    private static (CutBoot Kind, string Label, string Detail) ClassifyOther(FlashSequence sequence, NorFlash flash, PinLevels pins, List<WholeImage> whole)
    {
        if (sequence.Classifier is { } classify)
        {
            var c = classify(flash, pins);
            return (c.Kind, c.Label, c.Detail);
        }
        var boot = BootLoader.Boot(flash, pins);
        if (!boot.Started || boot.Booted is not { } image)
            return (CutBoot.Unbootable, "none", $"{boot.Log[^1]} ({boot.Reason})");
        var match = whole.FirstOrDefault(w => w.Matches(flash, image));
        return match is null
            ? (CutBoot.Partial, "partial", $"started a half-written image at 0x{image.Address:x} ({boot.Reason})")
            : (CutBoot.Whole, match.Label, "");
    }

    /// <summary>An image's header (length, load address) and body (+ Image 3), the signature words left out.</summary>
    private sealed record WholeImage(string Label, byte[] Segments)
    {
        public static WholeImage From(byte[] file)
        {
            var parsed = ImageFile.Parse(file);
            string label = parsed.Body.Sketch is { } sketch ? $"v{sketch.Version}" : $"image of {parsed.Image2SegmentsLength} bytes";
            return new WholeImage(label, parsed.Image2Segments.ToArray());
        }

        public bool Matches(NorFlash flash, FlashImage image)
        {
            if (image.TotalLength != Segments.Length) return false;
            var onFlash = flash.Read(image.Address, Segments.Length);
            var a = onFlash.AsSpan();
            var b = Segments.AsSpan();
            return a[..8].SequenceEqual(b[..8]) && a[SegmentHeader.Size..].SequenceEqual(b[SegmentHeader.Size..]);
        }
    }
}
