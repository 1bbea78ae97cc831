using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;
using Spectre.Console;

namespace AmebaOta.Cli.Output;

/// <summary>The human-readable <c>flash info</c> report.</summary>
public static class FlashInfoText
{
    public static void Write(string name, FlashReport r, PinMap map)
    {
        var console = Terminal.Stdout;
        console.WriteLine($"flash:            {name} ({r.ChipSize / 1024} KiB)");
        console.WriteLine($"Image 1 header:   {(r.HasImage1Header ? "present" : "MISSING (magic words not found)")}, Default Image 2 at 0x{r.DefaultImage2Address:x}");
        console.WriteLine("layout:           0x000000 Image 1 | 0x008000 backup | 0x009000 system data | 0x00A000 RF calibration | 0x00B000 Default Image 2 | 0x080000 OTA | 0x0FF000 user data");
        string ota = r.OtaAddressWord == SystemData.None ? "none (0xFFFFFFFF)"
            : $"0x{r.OtaAddressWord:x}" + (r.BootPinInactive.OtaAddressUsable ? "" : " (INVALID: unaligned or inside Default Image 2; ignored)");
        console.WriteLine($"OTA address:      {ota}");
        console.WriteLine($"recovery pin 0:   {r.Pin0.Describe(map)}");
        console.WriteLine($"recovery pin 1:   {r.Pin1.Describe(map)}{(r.Pin0.IsUsed && r.Pin1.IsUsed ? " (checked last: this one decides)" : "")}");

        var table = new Table().Border(TableBorder.Simple).Title("images found");
        foreach (var column in new[] { "address", "role", "signature", "length", "RTKWin", "Image 3", "sketch" }) table.AddColumn(column);
        foreach (var f in r.Images)
        {
            var i = f.Image;
            table.AddRow(Markup.Escape($"0x{i.Address:x}"), Markup.Escape(f.Role), Describe.SignatureName(i.Signature),
                i.Header.Length.ToString(), i.Body.HasRtkWin ? "yes" : "NO",
                i.Image3 is { } i3 ? $"{i3.Length} bytes" : "-",
                Markup.Escape(i.Body.Sketch is { } s ? $"v{s.Version} {SketchModes.Id(s.Mode)} {s.DeviceName}" : "no sketch descriptor"));
        }
        if (r.Images.Count == 0) console.WriteLine("images found:     none");
        else console.Write(table);

        WriteBoot(console, "boots (recovery pin inactive)", r.BootPinInactive);
        if (r.BootPinActive is { } active) WriteBoot(console, "boots (recovery pin active)", active);
        else console.WriteLine("boots (recovery pin active):   no recovery pin configured, same as above");
    }

    private static void WriteBoot(IAnsiConsole console, string title, BootResult b)
    {
        string what = b.Outcome switch
        {
            BootOutcome.NoFirmware => "nothing: Fatal:no fw",
            BootOutcome.InvalidImage2Signature => $"0x{b.Booted!.Address:x}, which fails: Invalid Image2 Signature",
            _ => $"0x{b.Booted!.Address:x}" + (b.Booted.Body.Sketch is { } s ? $" (version {s.Version})" : ""),
        };
        console.WriteLine($"{title + ":",-31}{what}");
        console.WriteLine($"{"  why:",-31}{b.Reason}");
    }
}
