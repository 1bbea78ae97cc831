using System.CommandLine;
using AmebaOta.Cli.Families.AmebaPro2;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Families.AmebaPro2;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota flash create|dap|info|boot|set-ota-address|set-recovery-pin</c>: work on a flash file (a raw whole-chip image or dump).</summary>
public static class FlashCommands
{
    public static Command Build()
    {
        var flash = new Command("flash", "Work on a flash file: a raw image of the whole chip (Ameba1: 1 or 2 MiB; AmebaPro2: 16 MiB), as a dump read from a real board.");
        flash.Add(Create());
        flash.Add(Dap());
        flash.Add(Info());
        flash.Add(BootCommand());
        flash.Add(SetOtaAddress());
        flash.Add(SetRecoveryPin());
        return flash;
    }

    private static Argument<FileInfo> FlashArgument() => new("flash") { Description = "Flash file (raw whole-chip image: 1 or 2 MiB for Ameba1, 16 MiB for AmebaPro2)" };

    private static Option<string?> FlashFamily() => FamilyOption.Create("The board family the flash file is from (default: recognised from its contents, else ameba1)");

    private static Option<string?> OtaModeOption(string what) => new("--ota-mode")
    {
        HelpName = "on|off",
        Description = what,
    };

    /// <summary>--ota-mode on|off (amebapro2 only); null when not given.</summary>
    private static bool? ReadOtaMode(ParseResult parse, Option<string?> option, BoardFamily family)
    {
        if (parse.GetValue(option) is not { } text) return null;
        if (!family.HasOtaModeSetting) throw new CliError(ExitCodes.Usage, $"--ota-mode is for families whose Arduino build has an OTA Mode menu (amebapro2), not {family.Id}");
        return text.Trim().ToLowerInvariant() switch
        {
            "on" or "enable" or "true" => true,
            "off" or "disable" or "false" => false,
            _ => throw new CliError(ExitCodes.Usage, $"--ota-mode '{text}': use on or off"),
        };
    }

    /// <summary>The family of a loaded flash file: --family, else what its contents say, else Ameba1.</summary>
    private static BoardFamily FamilyOf(ParseResult parse, Option<string?> option, NorFlash flash) =>
        FamilyOption.Read(parse, option) ?? BoardFamilies.IdentifyFlash(flash.Contents) ?? BoardFamilies.Ameba1;

    /// <summary>--force of the commands that write a flash file: also write one that is read-only (it stays read-only).</summary>
    private static Option<bool> WriteForce(string what = "Write the flash file even if it is read-only (its mode is kept)") => new("--force") { Description = what };

    public static Option<string> BoardOption() => new("--board") { Description = "Board variant whose pin map turns Arduino pins into chip pins: rtl8195a or rtl8710", DefaultValueFactory = _ => "rtl8195a" };

    public static BoardKind ParseBoard(string text) => BoardKinds.TryParse(text, out var b)
        ? b : throw new CliError(ExitCodes.Usage, $"unknown board '{text}': use rtl8195a or rtl8710");

    private static Command Create()
    {
        var file = FlashArgument();
        var size = new Option<string?>("--size") { Description = "Chip size: 1M (RTL8710) or 2M (RTL8195A) for ameba1 (default 1M); 16M for amebapro2" };
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists, even a read-only one (its mode is kept)" };
        var family = FamilyOption.Create("Board family of the chip: ameba1 (default) or amebapro2");
        var otaMode = OtaModeOption("amebapro2: the partition table of the Arduino board menu's OTA Mode: on (default; FW1 and FW2 4 MiB each) or off (FW2 64 KiB, so every OTA fails)");
        var command = new Command("create", "Create a blank chip: all 0xFF, with an Image 1 header that points at Default Image 2 (0xB000);\n" +
            "for amebapro2 a 16 MiB chip with the partition table and boot loader, and both firmware slots empty.\n" +
            "Example: ameba-ota flash create board.bin --size 2M\n" +
            "Example: ameba-ota flash create amb82.bin --family amebapro2") { file, size, force, family, otaMode };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var chipFamily = FamilyOption.Read(parse, family) ?? BoardFamilies.Ameba1;
            int bytes = parse.GetValue(size) is { } sizeText ? FlashFile.ParseSize(sizeText) : chipFamily.DefaultChipSize;
            if (!chipFamily.ChipSizes.Contains(bytes))
                throw new CliError(ExitCodes.Usage, $"{chipFamily.DisplayName} chips are {string.Join(" or ", chipFamily.ChipSizes.Select(c => $"{c >> 20}M"))}, not {bytes >> 20}M");
            bool? pro2OtaMode = ReadOtaMode(parse, otaMode, chipFamily);
            if (path.Exists && !parse.GetValue(force))
                throw new CliError(ExitCodes.BadInput, $"'{path.FullName}' already exists; use --force to overwrite it");
            if (chipFamily is AmebaPro2Family)
            {
                var chip = chipFamily.CreateBlankChip(bytes, pro2OtaMode ?? true);
                FlashFile.Save(chip, path.ToString(), force: parse.GetValue(force));
                Console.WriteLine(Pro2FlashCli.CreatedLine(path.Name, chip));
                return ExitCodes.Ok;
            }
            FlashFile.Save(chipFamily.CreateBlankChip(bytes), path.ToString(), force: parse.GetValue(force));
            Console.WriteLine(chipFamily == BoardFamilies.Ameba1
                ? $"created {path.Name}: blank {bytes / 1024} KiB chip, Image 1 header points at Default Image 2 0x{FlashLayout.DefaultImage2:x}"
                : $"created {path.Name}: blank {bytes / 1024} KiB {chipFamily.DisplayName} chip");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Dap()
    {
        var file = FlashArgument();
        var image = new Argument<FileInfo>("image") { Description = "An Image 2 file (ota.bin, ram_2.p.bin, ram_2.ns.bin) or a ram_all.bin; for amebapro2 an ota.bin or firmware.bin" };
        var force = WriteForce();
        var family = FlashFamily();
        var otaMode = OtaModeOption("amebapro2: also write the partition table of this OTA Mode (on or off), as uploading a build made with that menu setting does");
        var command = new Command("dap", "Do what a USB/DAP upload does: write Default Image 2 at 0xB000 signed \"new\" and erase system data;\n" +
            "for amebapro2 write the firmware into FW1 (FW2 is kept, as Realtek's uploader keeps it).\n" +
            "Example: ameba-ota flash dap board.bin v1.bin") { file, image, force, family, otaMode };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var flash = FlashFile.Load(path.FullName);
            var chipFamily = FamilyOf(parse, family, flash);
            bool? pro2OtaMode = ReadOtaMode(parse, otaMode, chipFamily);
            if (chipFamily is AmebaPro2Family)
                return Pro2FlashCli.Dap(flash, parse.GetValue(image)!.FullName, pro2OtaMode, () => FlashFile.Save(flash, path.ToString(), parse.GetValue(force)));
            var img = ImageFile.Load(parse.GetValue(image)!.FullName);
            var result = DapUpload.Write(flash, img);
            FlashFile.Save(flash, path.ToString(), parse.GetValue(force));
            Console.WriteLine($"wrote {result.BytesWritten} bytes {(result.WroteImage1 ? "from address 0 (Image 1 + Image 2)" : $"at 0x{result.Image2Address:x}")}, " +
                $"Default Image 2 signed new, system data erased ({result.SectorsErased} sectors erased)");
            if (img.Body.Sketch is { } s) Console.WriteLine($"sketch: {Describe.SketchLine(s, null)}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Info()
    {
        var file = FlashArgument();
        var json = CommonOptions.Json();
        var board = BoardOption();
        var family = FlashFamily();
        var command = new Command("info", "Show the layout, decoded system data, every image found, and which image boots with the recovery pin inactive and active, and why;\n" +
            "for amebapro2 the partition table (OTA Mode), FW1 and FW2 (label, VERSION, TIMST, sketch) and which boots.\n" +
            "Example: ameba-ota flash info board.bin --json") { file, json, board, family };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var flash = FlashFile.Load(path.FullName);
            if (FamilyOf(parse, family, flash) is AmebaPro2Family) return Pro2FlashCli.Info(path.Name, flash, parse.GetValue(json));
            var map = PinMap.For(ParseBoard(parse.GetValue(board)!));
            var report = FlashReport.Inspect(flash);
            if (parse.GetValue(json)) WriteJson(path.Name, report, map);
            else FlashInfoText.Write(path.Name, report, map);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void WriteJson(string name, FlashReport r, PinMap map)
    {
        RecoveryPinJson Pin(RecoveryPin p) => new($"0x{p.Raw:x2}", p.IsUsed, p.IsUsed ? p.Chip.Name : null,
            p.IsUsed ? map.ToArduino(p.Chip) : null, p.IsUsed ? (p.ActiveLevel == PinLevel.High ? "high" : "low") : null);
        var images = r.Images.Select(f => new FlashImageJson(Describe.Hex(f.Image.Address), f.Role, f.Image.Header.Length,
            Describe.Hex(f.Image.Header.LoadAddress), Describe.SignatureName(f.Image.Signature), f.Image.Body.HasRtkWin,
            $"0x{f.Image.Body.EntryPoint:x8}", f.Image.Image3 is { } i3 ? Describe.Segment(i3) : null, Describe.Sketch(f.Image.Body.Sketch))).ToList();
        JsonOut.Write(new FlashInfoJson(name, r.ChipSize, r.HasImage1Header, Describe.Hex(r.DefaultImage2Address),
            r.OtaAddressWord == SystemData.None ? null : Describe.Hex(r.OtaAddressWord), r.BootPinInactive.OtaAddressUsable,
            [Pin(r.Pin0), Pin(r.Pin1)], images, Describe.Boot(r.BootPinInactive),
            r.BootPinActive is { } a ? Describe.Boot(a) : null), CliJsonContext.Default.FlashInfoJson);
    }

    private static Command BootCommand()
    {
        var file = FlashArgument();
        var pins = new Option<string[]>("--pin") { Description = "Level of a pin at reset, PIN=high|low; PIN is an Arduino pin (18) or a chip pin (PE_5). Repeatable. Unset pins read LOW", AllowMultipleArgumentsPerToken = false };
        var board = BoardOption();
        var json = CommonOptions.Json();
        var family = FlashFamily();
        var command = new Command("boot", "Run the boot loader on a flash file and print its exact boot log, from \"===== Enter Image 1 ====\" to \"===== Enter Image 2 ====\"\n" +
            "(amebapro2: from the ROM banner to \"Boot Loader <==\", FW1 or FW2 chosen by manifest VERSION, then TIMST).\n" +
            "Exits 0 when Image 2 (a firmware slot) starts, 3 after \"Fatal:no fw\", \"Invalid Image2 Signature\" or no valid slot.\n" +
            "Example: ameba-ota flash boot board.bin --pin 18=high") { file, pins, board, json, family };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var flash = FlashFile.Load(parse.GetValue(file)!.FullName);
            if (FamilyOf(parse, family, flash) is AmebaPro2Family) return Pro2FlashCli.Boot(flash, parse.GetValue(json));
            var levels = ParsePins(parse.GetValue(pins) ?? [], PinMap.For(ParseBoard(parse.GetValue(board)!)));
            var result = BootLoader.Boot(flash, levels);
            if (parse.GetValue(json)) JsonOut.Write(Describe.Boot(result), CliJsonContext.Default.BootJson);
            else foreach (var line in result.Log) Console.WriteLine(line);
            return result.Started ? ExitCodes.Ok : ExitCodes.BootFailed;
        }));
        return command;
    }

    public static PinLevels ParsePins(IEnumerable<string> assignments, PinMap map)
    {
        var levels = new PinLevels();
        foreach (var a in assignments)
            if (levels.TrySet(a, map) is { } error) throw new CliError(ExitCodes.Usage, error);
        return levels;
    }

    private static Command SetOtaAddress()
    {
        var file = FlashArgument();
        var address = new Argument<string>("address") { Description = "OTA address, e.g. 0x80000; 'none' erases it to 0xFFFFFFFF" };
        var force = WriteForce("Write an address beyond the end of the chip too, and write a read-only flash file (its mode is kept)");
        var command = new Command("set-ota-address", "Write the OTA address into system data (0x9000), as the sketch's setOtaAddress() does.\n" +
            "Example: ameba-ota flash set-ota-address board.bin 0x80000") { file, address, force };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            string text = parse.GetValue(address)!;
            uint value = text.Equals("none", StringComparison.OrdinalIgnoreCase) ? SystemData.None
                : NumberParsing.TryParseUInt(text, out uint v) ? v
                : throw new CliError(ExitCodes.Usage, $"'{text}' is not an address (use 0x80000 or 524288)");
            var flash = FlashFile.Load(path.FullName);
            RequireAmeba1(flash, "set-ota-address");
            var warnings = OtaAddressCheck.Check(value, flash.Size, parse.GetValue(force));
            bool rewrote = new SystemData(flash).SetOtaAddress(value);
            FlashFile.Save(flash, path.ToString(), parse.GetValue(force));
            Console.WriteLine($"OTA address set to 0x{value:x}{(rewrote ? " (the word held another value: sector rewritten through the backup sector 0x8000)" : "")}");
            foreach (var w in warnings) Diagnostics.Warning(w);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command SetRecoveryPin()
    {
        var file = FlashArgument();
        var pin1 = new Argument<string>("pin") { Description = "Arduino pin (18) or chip pin (PE_5); active HIGH, as setRecoverPin() stores it" };
        var pin2 = new Argument<string?>("pin2") { Description = "Optional second pin (stored in byte 0, checked first; the pin in byte 1 decides)", Arity = ArgumentArity.ZeroOrOne };
        var board = BoardOption();
        var force = WriteForce();
        var command = new Command("set-recovery-pin", "Write the recovery pin(s) into system data (0x9008), as the sketch's setRecoverPin(pin1, pin2) does.\n" +
            "Example: ameba-ota flash set-recovery-pin board.bin 17 --board rtl8710") { file, pin1, pin2, board, force };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var map = PinMap.For(ParseBoard(parse.GetValue(board)!));
            byte first = PinByte(parse.GetValue(pin1)!, map);
            byte second = parse.GetValue(pin2) is { } p2 ? PinByte(p2, map) : RecoveryPin.Unused;
            var flash = FlashFile.Load(path.FullName);
            RequireAmeba1(flash, "set-recovery-pin");
            bool rewrote = new SystemData(flash).SetRecoveryPins(first, second);
            FlashFile.Save(flash, path.ToString(), parse.GetValue(force));
            Console.WriteLine($"recovery pin set: {new RecoveryPin(first).Describe(map)}" +
                (second != RecoveryPin.Unused ? $"; second pin {new RecoveryPin(second).Describe(map)}" : "") +
                (rewrote ? " (sector rewritten through the backup sector 0x8000)" : ""));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>System data (0x9000) is Ameba1's: on another family's chip that sector holds something else (AmebaPro2's boot loader).</summary>
    private static void RequireAmeba1(NorFlash flash, string command)
    {
        if (BoardFamilies.IdentifyFlash(flash.Contents) is { } family && family != BoardFamilies.Ameba1)
            throw new CliError(ExitCodes.BadInput, $"{command} writes Ameba1 system data at 0x9000; this flash file is from an {family.DisplayName} board, where that sector is not system data: left unchanged");
    }

    private static byte PinByte(string text, PinMap map)
    {
        if (PinLevels.ResolvePin(text, map, out var chip) is { } error) throw new CliError(ExitCodes.Usage, error);
        return RecoveryPin.ActiveHighFor(chip).Raw;
    }
}
