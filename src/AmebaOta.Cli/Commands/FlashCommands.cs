using System.CommandLine;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.AmebaPro2;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota flash create|dap|info|boot|set-ota-address|set-recovery-pin</c>: work on a flash file (a raw whole-chip image or dump).</summary>
public static class FlashCommands
{
    public static Command Build()
    {
        var flash = new Command("flash", "Work on a flash file: a raw image of the whole chip (Ameba1: 1 or 2 MiB; AmebaD: 2 MiB; AmebaPro2: 16 MiB), as a dump read from a real board. " +
            "The family is read from the file's boot code (AmebaPro2: its partition table); --family names it for a new or erased chip.");
        flash.Add(Create());
        flash.Add(Dap());
        flash.Add(Info());
        flash.Add(BootCommand());
        flash.Add(SetOtaAddress());
        flash.Add(SetRecoveryPin());
        return flash;
    }

    private static Argument<FileInfo> FlashArgument() => new("flash") { Description = "Flash file (raw whole-chip image: 1 or 2 MiB, 16 MiB for AmebaPro2)" };

    private static Option<string?> OtaModeOption(string what) => new("--ota-mode")
    {
        HelpName = "on|off",
        Description = what,
    };

    /// <summary>--ota-mode on|off (families with an OTA Mode menu: amebapro2); null when not given.</summary>
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

    /// <summary>--force of the commands that write a flash file: also write one that is read-only (it stays read-only).</summary>
    private static Option<bool> WriteForce(string what = "Write the flash file even if it is read-only (its mode is kept)") => new("--force") { Description = what };

    public static Option<string> BoardOption() => new("--board") { Description = "Board variant whose pin map turns Arduino pins into chip pins: rtl8195a or rtl8710", DefaultValueFactory = _ => "rtl8195a" };

    public static BoardKind ParseBoard(string text) => BoardKinds.TryParse(text, out var b)
        ? b : throw new CliError(ExitCodes.Usage, $"unknown board '{text}': use rtl8195a or rtl8710");

    private static Command Create()
    {
        var file = FlashArgument();
        var size = new Option<string?>("--size") { Description = "Chip size: 1M (RTL8710, the Ameba1 default) or 2M (RTL8195A; AmebaD's only size); 16M (AmebaPro2's only size)" };
        var family = FamilyOption.Create("Which chip: ameba1 (default: Image 1 header pointing at Default Image 2), amebad (KM0 and KM4 boot images, both OTA banks erased) or amebapro2 (partition table and boot loader, both firmware slots erased)");
        var otaMode = OtaModeOption("amebapro2: the partition table of the Arduino board menu's OTA Mode: on (default; FW1 and FW2 4 MiB each) or off (FW2 64 KiB, so every OTA fails)");
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists, even a read-only one (its mode is kept)" };
        var command = new Command("create", "Create a blank chip: all 0xFF, with the family's boot code in place (Ameba1: an Image 1 header that points at Default Image 2 (0xB000); " +
            "AmebaD: the KM0 and KM4 boot images' headers at 0x0 and 0x4000).\n" +
            "Example: ameba-ota flash create board.bin --size 2M\n" +
            "Example: ameba-ota flash create bw16.bin --family amebad\n" +
            "Example: ameba-ota flash create amb82.bin --family amebapro2 --ota-mode on") { file, size, family, force, otaMode };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var chip = FamilyOption.Read(parse, family) ?? BoardFamilies.Ameba1;
            int bytes = parse.GetValue(size) is { } text ? FlashFile.ParseSize(text) : chip.DefaultChipSize;
            if (!chip.ChipSizes.Contains(bytes))
                throw new CliError(ExitCodes.Usage, $"--size: {chip.DisplayName} chips are {string.Join(" or ", chip.ChipSizes.Select(b => $"{b / NorFlash.OneMiB}M"))}");
            bool? otaModeOn = ReadOtaMode(parse, otaMode, chip);
            if (path.Exists && !parse.GetValue(force))
                throw new CliError(ExitCodes.BadInput, $"'{path.FullName}' already exists; use --force to overwrite it");
            if (chip is AmebaPro2Family)
            {
                var pro2Chip = chip.CreateBlankChip(bytes, otaModeOn ?? true);
                FlashFile.Save(pro2Chip, path.ToString(), force: parse.GetValue(force));
                Console.WriteLine(AmebaPro2FlashCommands.CreatedLine(path.Name, pro2Chip));
                return ExitCodes.Ok;
            }
            FlashFile.Save(chip.CreateBlankChip(bytes), path.ToString(), force: parse.GetValue(force));
            Console.WriteLine(chip == BoardFamilies.AmebaD
                ? $"created {path.Name}: blank {bytes / 1024} KiB AmebaD chip, KM0 and KM4 boot images at 0x0 and 0x4000, OTA1 (0x08006000) and OTA2 (0x08106000) erased"
                : $"created {path.Name}: blank {bytes / 1024} KiB chip, Image 1 header points at Default Image 2 0x{FlashLayout.DefaultImage2:x}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// The family of a flash file: what its boot code says, or what <c>--family</c> names (required to agree when both
    /// speak); a chip with no boot code (erased) is the named family's, else Ameba1's.
    /// </summary>
    public static BoardFamily FamilyOf(NorFlash flash, BoardFamily? named, string name)
    {
        var found = BoardFamilies.IdentifyFlash(flash.Contents);
        if (named is not null && found is not null && found != named)
            throw new CliError(ExitCodes.BadInput, $"'{name}' holds {found.DisplayName} boot code, not {named.DisplayName}'s: drop --family, or name the right file");
        return named ?? found ?? BoardFamilies.Ameba1;
    }

    private static void RefuseAmebaD(NorFlash flash, string name, string what)
    {
        var family = BoardFamilies.IdentifyFlash(flash.Contents);
        if (family == BoardFamilies.AmebaD)
            throw new CliError(ExitCodes.BadInput, $"'{name}' is an AmebaD flash: {what}");
        if (family is AmebaPro2Family)
            throw new CliError(ExitCodes.BadInput, $"'{name}' is an AmebaPro2 flash: Ameba1 system data lives at 0x9000, where AmebaPro2 keeps its boot loader; left unchanged");
    }

    private static Command Dap()
    {
        var file = FlashArgument();
        var image = new Argument<FileInfo>("image") { Description = "Ameba1: an Image 2 file (ota.bin, ram_2.p.bin, ram_2.ns.bin) or a ram_all.bin. AmebaD: a km0_km4_image2.bin (or an OTA_All.bin, whose image part is written). AmebaPro2: an ota.bin or firmware.bin" };
        var otaMode = OtaModeOption("amebapro2: also write the partition table of this OTA Mode (on or off), as uploading a build made with that menu setting does");
        var family = FamilyOption.Create("The chip's family when the flash file is erased (otherwise read from its boot code, or from the image)");
        var eraseAll = new Option<bool>("--erase-all") { Description = "AmebaD: erase the whole chip first, as the IDE's Tools > Erase Flash > \"Erase only\" does (clears an OTA2 image the board would keep booting)" };
        var force = WriteForce();
        var command = new Command("dap", "Do what a USB upload does. Ameba1 (DAP): write Default Image 2 at 0xB000 signed \"new\" and erase system data. " +
            "AmebaD: write the boot images and the km0_km4_image2.bin into OTA1 (0x08006000), leaving OTA2 alone: after an OTA into OTA2 the board keeps booting OTA2 (flash boot warns). " +
            "AmebaPro2: write the firmware into FW1, leaving FW2 alone (a newer firmware an OTA put there keeps booting).\n" +
            "Example: ameba-ota flash dap board.bin v1.bin\n" +
            "Example: ameba-ota flash dap bw16.bin km0_km4_image2.bin") { file, image, family, eraseAll, force, otaMode };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var flash = FlashFile.Load(path.FullName);
            var imagePath = parse.GetValue(image)!;
            var named = FamilyOption.Read(parse, family);
            var chip = BoardFamilies.IdentifyFlash(flash.Contents) is { } found ? FamilyOf(flash, named, path.Name)
                : named ?? (AmebaDImageCommands.IsAmebaD(imagePath) ? BoardFamilies.AmebaD : BoardFamilies.Ameba1);
            bool? otaModeOn = ReadOtaMode(parse, otaMode, chip);
            if (chip == BoardFamilies.AmebaD) return AmebaDFlashCommands.Dap(path, flash, imagePath, parse.GetValue(eraseAll), parse.GetValue(force));
            if (chip is AmebaPro2Family)
            {
                if (parse.GetValue(eraseAll)) throw new CliError(ExitCodes.Usage, "--erase-all is for AmebaD chips (for amebapro2, flash create --force starts over)");
                return AmebaPro2FlashCommands.Dap(flash, imagePath.FullName, otaModeOn, () => FlashFile.Save(flash, path.ToString(), parse.GetValue(force)));
            }
            if (parse.GetValue(eraseAll)) throw new CliError(ExitCodes.Usage, "--erase-all is for AmebaD chips");
            if (AmebaDImageCommands.IsAmebaD(imagePath))
                throw new CliError(ExitCodes.BadInput, $"'{imagePath.Name}' is an AmebaD image and '{path.Name}' an Ameba1 chip: a board takes only its own family's images");
            var img = ImageFile.Load(imagePath.FullName);
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
        var family = FamilyOption.Create("The chip's family when its boot code does not say (an erased chip); otherwise read from the file");
        var command = new Command("info", "Show the layout, decoded system data, every image found, and which image boots with the recovery pin inactive and active, and why. " +
            "For an AmebaD flash: both OTA banks, their signatures and sketches, which bank boots, and the USB-after-OTA trap. " +
            "For an AmebaPro2 flash: the partition table (OTA Mode), FW1 and FW2 (label, VERSION, TIMST, sketch) and which boots.\n" +
            "Example: ameba-ota flash info board.bin --json") { file, json, board, family };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var flash = FlashFile.Load(path.FullName);
            var infoFamily = FamilyOf(flash, FamilyOption.Read(parse, family), path.Name);
            if (infoFamily is AmebaPro2Family) return AmebaPro2FlashCommands.Info(path.Name, flash, parse.GetValue(json));
            if (infoFamily == BoardFamilies.AmebaD)
            {
                if (parse.GetValue(json)) JsonOut.Write(AmebaDFlashInfoText.Json(path.Name, flash), CliJsonContext.Default.AmebaDFlashInfoJson);
                else foreach (var line in AmebaDFlashInfoText.Lines(path.Name, flash)) Console.WriteLine(line);
                return ExitCodes.Ok;
            }
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
        var family = FamilyOption.Create("The chip's family when its boot code does not say (an erased chip); otherwise read from the file");
        var command = new Command("boot", "Run the boot loader on a flash file and print its exact boot log, from \"===== Enter Image 1 ====\" to \"===== Enter Image 2 ====\" " +
            "(AmebaD: the KM0 and KM4 boot images' lines, \"OTA2 USE\" or \"OTA1 USE\" first; a warning on stderr when OTA1 holds an image OTA2 shadows; " +
            "AmebaPro2: from the ROM banner to \"Boot Loader <==\", FW1 or FW2 chosen by manifest VERSION, then TIMST).\n" +
            "Exits 0 when Image 2 starts, 3 after \"Fatal:no fw\" or \"Invalid Image2 Signature\" (AmebaD: \"IMG2 Invalid\", \"IMG2 SIGN Invalid\").\n" +
            "Example: ameba-ota flash boot board.bin --pin 18=high") { file, pins, board, json, family };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var flash = FlashFile.Load(path.FullName);
            var bootFamily = FamilyOf(flash, FamilyOption.Read(parse, family), path.Name);
            if (bootFamily is AmebaPro2Family) return AmebaPro2FlashCommands.Boot(flash, parse.GetValue(json));
            if (bootFamily == BoardFamilies.AmebaD)
                return AmebaDFlashCommands.Boot(flash, (parse.GetValue(pins) ?? []).Length > 0, parse.GetValue(json));
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
            RefuseAmebaD(flash, path.Name, "it has no OTA address; its boot loader picks a bank by signature (flash boot shows which)");
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
            RefuseAmebaD(flash, path.Name, "its boot loader reads no recovery pin (the forced-OTA1 GPIO is disabled in Realtek's boot image)");
            bool rewrote = new SystemData(flash).SetRecoveryPins(first, second);
            FlashFile.Save(flash, path.ToString(), parse.GetValue(force));
            Console.WriteLine($"recovery pin set: {new RecoveryPin(first).Describe(map)}" +
                (second != RecoveryPin.Unused ? $"; second pin {new RecoveryPin(second).Describe(map)}" : "") +
                (rewrote ? " (sector rewritten through the backup sector 0x8000)" : ""));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static byte PinByte(string text, PinMap map)
    {
        if (PinLevels.ResolvePin(text, map, out var chip) is { } error) throw new CliError(ExitCodes.Usage, error);
        return RecoveryPin.ActiveHighFor(chip).Raw;
    }
}
