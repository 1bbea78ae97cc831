using AmebaOta.Discovery;
using AmebaOta.Families;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Families;

public sealed class BoardFamiliesTests
{
    [Theory]
    [InlineData("ameba1")]
    [InlineData("AMEBA1")]
    [InlineData(" ameba1 ")]
    public void A_family_is_found_by_its_id_whatever_the_case(string id) =>
        Assert.Same(BoardFamilies.Ameba1, BoardFamilies.Find(id));

    [Fact]
    public void An_unknown_id_finds_no_family() => Assert.Null(BoardFamilies.Find("esp32"));

    [Theory]
    [InlineData("ameba_rtl8195a")]
    [InlineData("ameba_rtl8710")]
    [InlineData("AMEBA_RTL8195A")]
    public void The_txt_board_names_the_family(string board) => Assert.Same(BoardFamilies.Ameba1, BoardFamilies.ForMdnsBoard(board));

    [Fact]
    public void An_unknown_or_missing_txt_board_names_no_family()
    {
        Assert.Null(BoardFamilies.ForMdnsBoard("esp32dev"));
        Assert.Null(BoardFamilies.ForMdnsBoard(null));
    }

    [Fact]
    public void A_discovered_board_knows_its_family_from_its_txt_record()
    {
        var service = new DiscoveredService("MyAmeba", ArduinoService.ServiceType, "MyAmeba.local", System.Net.IPAddress.Loopback, 5000,
            [.. ArduinoService.StockTxt.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))]);
        Assert.Same(BoardFamilies.Ameba1, service.Family);
    }

    [Theory]
    [InlineData(BoardKind.Rtl8195a)]
    [InlineData(BoardKind.Rtl8710)]
    public void Every_board_model_belongs_to_a_family(BoardKind board) => Assert.Same(BoardFamilies.Ameba1, BoardFamilies.Of(board));

    [Fact]
    public void Ameba1_images_are_recognised_and_parsed_through_the_seam()
    {
        var bytes = TestImages.Image(3);
        Assert.True(BoardFamilies.Ameba1.Recognises(bytes));
        var image = BoardFamilies.ParseImage(bytes);
        Assert.Same(BoardFamilies.Ameba1, image.Family);
        Assert.IsType<ImageFile>(image);
        Assert.Equal(3u, image.Sketch?.Version);
        Assert.Equal(Checksum.ByteSum(bytes), image.Checksum);
    }

    [Fact]
    public void A_file_no_family_recognises_gets_ameba1s_own_error()
    {
        var garbage = new byte[64];
        Array.Fill(garbage, (byte)0x5A);
        Assert.Same(BoardFamilies.Ameba1, BoardFamilies.Identify(garbage));
        var e = Assert.Throws<ImageFormatException>(() => BoardFamilies.ParseImage(garbage));
        Assert.Contains("not an Ameba image", e.Message);
    }

    [Fact]
    public void Every_family_has_a_virtual_board() =>
        Assert.All(BoardFamilies.All, f => Assert.NotNull(AmebaOta.Device.Families.VirtualFamilies.For(f)));
}

public sealed class BoardFamilyFlashTests
{
    [Fact]
    public void A_blank_ameba1_chip_is_recognised_as_ameba1_and_boots_nothing()
    {
        var family = BoardFamilies.Ameba1;
        var chip = family.CreateBlankChip(family.DefaultChipSize);
        Assert.Equal(AmebaOta.Families.Ameba1.Flash.FlashLayout.OneMiB, chip.Size);
        Assert.Same(family, BoardFamilies.IdentifyFlash(chip.Contents));
        var boot = family.Boot(chip, new AmebaOta.Pins.PinLevels());
        Assert.False(boot.Started);
        Assert.Null(boot.ChosenAddress);
        Assert.Equal("NoFirmware", boot.OutcomeName);
        Assert.Contains(AmebaOta.Families.Ameba1.Boot.BootLoader.FatalNoFirmware, boot.Log);
    }

    [Fact]
    public void An_erased_chip_belongs_to_no_family()
    {
        var chip = new byte[AmebaOta.Flash.NorFlash.OneMiB];
        Array.Fill(chip, (byte)0xFF);
        Assert.Null(BoardFamilies.IdentifyFlash(chip));
    }

    [Fact]
    public void The_boot_outcome_names_the_started_image_and_its_sketch()
    {
        var chip = TestImages.ChipWith(TestImages.Image(1));
        var boot = BoardFamilies.Ameba1.Boot(chip, new AmebaOta.Pins.PinLevels());
        Assert.True(boot.Started);
        Assert.Equal(AmebaOta.Families.Ameba1.Flash.FlashLayout.DefaultImage2, boot.ChosenAddress);
        Assert.Equal(1u, boot.Sketch?.Version);
        Assert.Null(boot.SketchError);
    }
}
