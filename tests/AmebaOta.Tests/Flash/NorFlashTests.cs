using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;

namespace AmebaOta.Tests.Flash;

/// <summary>NOR semantics (docs/reference section 1): erase to 0xFF per 4 KiB sector, programming ANDs, addresses wrap.</summary>
public class NorFlashTests
{
    [Theory]
    [InlineData(FlashLayout.OneMiB)]
    [InlineData(FlashLayout.TwoMiB)]
    public void A_new_chip_is_all_ff(int size)
    {
        var flash = new NorFlash(size);
        Assert.Equal(size, flash.Size);
        Assert.True(flash.Contents.IndexOfAnyExcept((byte)0xFF) < 0);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(0)]
    [InlineData(FlashLayout.OneMiB + 1)]
    public void Only_chips_of_1_to_16_MiB_exist(int size)
    {
        var e = Assert.Throws<FlashFormatException>(() => new NorFlash(size));
        Assert.Contains("1, 2, 4, 8, 16 MiB", e.Message);
        Assert.Throws<FlashFormatException>(() => new NorFlash(new byte[size]));
    }

    [Fact]
    public void Erased_sectors_hold_no_memory_and_programming_ff_leaves_them_so()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.Program(0x3000, Enumerable.Repeat((byte)0xFF, 5000).ToArray());
        Assert.Equal((0, 0), flash.SectorUse());
        flash.Program(0x3FFE, [0x12, 0x34, 0x56]);   // across two sectors
        Assert.Equal((2, 0), flash.SectorUse());
        Assert.Equal(new byte[] { 0x12, 0x34, 0x56, 0xFF }, flash.Read(0x3FFE, 4));
        flash.EraseSector(0x3000);
        flash.EraseSector(0x4000);
        Assert.Equal((0, 0), flash.SectorUse());
        Assert.True(flash.Contents.IndexOfAnyExcept((byte)0xFF) < 0);
    }

    [Fact]
    public void Chips_share_identical_sectors_and_a_write_to_one_never_shows_in_another()
    {
        var pool = new FlashSectorPool();
        var image = new byte[3 * NorFlash.SectorSize];
        new Random(7).NextBytes(image);
        var a = new NorFlash(FlashLayout.OneMiB);
        var b = new NorFlash(FlashLayout.OneMiB);
        foreach (var chip in new[] { a, b })
        {
            chip.Program(0xB000, image);
            chip.ShareSectors(pool);
            Assert.Equal((0, 3), chip.SectorUse());
        }
        Assert.Equal(3, pool.Count);

        a.ProgramU32(0xB004, 0);                  // copied before it is written
        a.EraseSector(0xC000);                    // an erase lets go of the shared sector
        b.SchedulePowerCut(new FlashPowerCut(1, Tear: true));
        Assert.Throws<PowerCutException>(() => b.EraseSector(0xD000));   // torn: half the shared sector erased, in a copy

        Assert.Equal((1, 1), a.SectorUse());
        Assert.Equal(0u, a.ReadU32(0xB004));
        Assert.True(a.Read(0xC000, NorFlash.SectorSize).All(x => x == 0xFF));
        Assert.Equal(image[..(2 * NorFlash.SectorSize)], b.Read(0xB000, 2 * NorFlash.SectorSize));
        Assert.True(b.Read(0xD000, NorFlash.SectorSize / 2).All(x => x == 0xFF));
        Assert.Equal(image.AsSpan(2 * NorFlash.SectorSize + NorFlash.SectorSize / 2).ToArray(), b.Read(0xD800, NorFlash.SectorSize / 2));
        var c = new NorFlash(FlashLayout.OneMiB);
        c.Program(0xB000, image);
        c.ShareSectors(pool);
        Assert.Equal(image, c.Read(0xB000, image.Length));   // the pool's sectors are untouched
        Assert.Equal(3, pool.Count);
    }

    [Fact]
    public void Erase_sets_exactly_the_4KiB_sector_containing_the_address_to_ff()
    {
        var flash = new NorFlash(new byte[FlashLayout.OneMiB]); // all zero
        flash.EraseSector(0x80123);

        Assert.Equal(0x00, flash.ReadByte(0x7FFFF));
        Assert.True(flash.Read(0x80000, 0x1000).All(b => b == 0xFF));
        Assert.Equal(0x00, flash.ReadByte(0x81000));
        Assert.Equal(1, flash.EraseCount);
    }

    [Fact]
    public void Program_stores_the_and_of_old_and_new()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.Program(0x100, [0xF0, 0xFF, 0x0F]);
        flash.Program(0x100, [0x3C, 0x00, 0xFF]);

        Assert.Equal(new byte[] { 0x30, 0x00, 0x0F }, flash.Read(0x100, 3));
        Assert.Equal(2, flash.ProgramCount);
    }

    [Fact]
    public void Programming_cannot_set_bits_without_an_erase()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.ProgramU32(0x200, 0x00000000);
        flash.ProgramU32(0x200, 0xFFFFFFFF);
        Assert.Equal(0u, flash.ReadU32(0x200));

        flash.EraseSector(0x200);
        flash.ProgramU32(0x200, 0x12345678);
        Assert.Equal(0x12345678u, flash.ReadU32(0x200));
    }

    [Fact]
    public void Old_signature_can_be_programmed_over_new_without_erase_but_not_back()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.Program(0xB008, "81958711"u8);
        flash.ProgramU32(0xB008, 0x35393130);
        Assert.Equal("01958711"u8.ToArray(), flash.Read(0xB008, 8));

        flash.ProgramU32(0xB008, 0x35393138); // "new" over "old": '0' & '8' stays '0'
        Assert.Equal(0x35393130u, flash.ReadU32(0xB008));
        Assert.Equal(0, flash.EraseCount);
    }

    [Theory]
    [InlineData(FlashLayout.OneMiB)]
    [InlineData(FlashLayout.TwoMiB)]
    public void Program_and_read_past_the_end_wrap_to_address_zero(int size)
    {
        var flash = new NorFlash(size);
        uint end = (uint)size;
        flash.Program(end - 2, [0x11, 0x22, 0x33, 0x44]);

        Assert.Equal(0x11, flash.ReadByte(end - 2));
        Assert.Equal(0x22, flash.ReadByte(end - 1));
        Assert.Equal(0x33, flash.ReadByte(0));
        Assert.Equal(0x44, flash.ReadByte(1));
        Assert.Equal(0x44332211u, flash.ReadU32(end - 2));
        Assert.Equal(new byte[] { 0x11, 0x22, 0x33, 0x44 }, flash.Read(end - 2, 4));
        Assert.Equal((ushort)0x3322, flash.ReadU16(end - 1));
        // Upper address bits are ignored: size + 0x10 is 0x10, and so is 3 × size + 0x10.
        flash.Program(end + 0x10, [0x5A]);
        Assert.Equal(0x5A, flash.ReadByte(0x10));
        Assert.Equal(0x5A, flash.ReadByte(3 * end + 0x10));
    }

    [Theory]
    [InlineData(FlashLayout.OneMiB)]
    [InlineData(FlashLayout.TwoMiB)]
    public void Erase_past_the_end_hits_sector_zero(int size)
    {
        var flash = BlankChip.Create(size);
        flash.Program(0x1000, [0x00]);
        Assert.NotEqual(0xFF, flash.ReadByte(0));

        FlashOperation? seen = null;
        flash.OperationCompleted += op => seen = op;
        flash.EraseSector((uint)size + 0x123);

        Assert.True(flash.Read(0, 0x1000).All(b => b == 0xFF)); // the Image 1 header is gone
        Assert.Equal(0x00, flash.ReadByte(0x1000));
        Assert.Equal(new FlashOperation(3, FlashOperationKind.Erase, 0, 0x1000), seen);

        flash.EraseSector((uint)size + 0x1000); // wraps to sector 1
        Assert.Equal(0xFF, flash.ReadByte(0x1000));
    }

    [Fact]
    public void Operation_completed_reports_every_erase_and_program_in_order()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        var ops = new List<FlashOperation>();
        flash.OperationCompleted += ops.Add;

        flash.EraseSector(0x9004);
        flash.Program(0x9000, new byte[8]);
        flash.ProgramU32(0x9008, 1);

        Assert.Equal(
        [
            new FlashOperation(1, FlashOperationKind.Erase, 0x9000, 0x1000),
            new FlashOperation(2, FlashOperationKind.Program, 0x9000, 8),
            new FlashOperation(3, FlashOperationKind.Program, 0x9008, 4),
        ], ops);
        Assert.Equal(3, flash.OperationCount);
    }

    [Fact]
    public void Reads_do_not_count_or_dirty_and_writes_dirty_until_marked_clean()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        flash.Read(0, 100);
        flash.ReadU32(0x9000);
        Assert.Equal(0, flash.OperationCount);
        Assert.False(flash.IsDirty);

        flash.ProgramU32(0, 0);
        Assert.True(flash.IsDirty);
        flash.MarkClean();
        Assert.False(flash.IsDirty);
    }

    [Fact]
    public void Large_programs_match_a_byte_by_byte_and()
    {
        var flash = new NorFlash(FlashLayout.OneMiB);
        var rng = new Random(7);
        var a = new byte[5000]; var b = new byte[5000];
        rng.NextBytes(a); rng.NextBytes(b);
        flash.Program(0x20003, a); // unaligned start, length not a multiple of the vector width
        flash.Program(0x20003, b);

        var expected = a.Zip(b, (x, y) => (byte)(x & y)).ToArray();
        Assert.Equal(expected, flash.Read(0x20003, 5000));
        Assert.Equal(0xFF, flash.ReadByte(0x20002));
        Assert.Equal(0xFF, flash.ReadByte(0x20003 + 5000));
    }

    [Fact]
    public void Blank_chip_has_an_image1_header_pointing_at_0xB000_and_nothing_else()
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        Assert.Equal(0x96969999u, flash.ReadU32(0));
        Assert.Equal(0xFFFF002Cu, flash.ReadU32(0x18));
        Assert.True(flash.Contents[32..].IndexOfAnyExcept((byte)0xFF) < 0);
    }
}
